"""Load what the trainer reports need, filtered, with SQLAlchemy Core (SQLite or PostgreSQL).

Filters and their meaning:

* **đơn vị / chức vụ-nhóm** (``units``, ``roles``): only these learners (exact stored text).
* **time range** ``[since, until)``: the learners active in it (signed up, or started an
  attempt, in the range). Their *completion* is cumulative up to ``until`` (a module finished
  before ``since`` still counts as finished), while scores, item and scenario statistics use
  only attempts started, answers given and choices made in the range.
* **module**: item and scenario statistics keep that module's questions and scenarios
  (answers keep the module their question belongs to, also inside the final assessment).
"""

from __future__ import annotations

import dataclasses as dc
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.records import db
from widgets.records.models import AttemptSummary
from widgets.records.schema import (
    answers,
    attempts,
    certificates,
    completions,
    learners,
    scenario_choices,
)


@dc.dataclass(frozen=True, slots=True)
class Filters:
    """What the trainer chose on the dashboard; the defaults select everything."""

    since: datetime | None = None
    until: datetime | None = None
    units: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    module_id: str | None = None

    def __post_init__(self) -> None:
        for moment in (self.since, self.until):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("filter times must be timezone-aware")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError("the time range is empty: since must come before until")

    def in_range(self, moment: datetime | None) -> bool:
        """``moment`` lies in ``[since, until)``."""
        if moment is None:
            return False
        return (self.since is None or moment >= self.since) and (self.until is None or moment < self.until)


@dc.dataclass(frozen=True, slots=True)
class LearnerRow:
    id: str
    full_name: str
    unit: str
    role: str
    staff_code: str | None
    name_key: str
    unit_key: str
    created_at: datetime


@dc.dataclass(frozen=True, slots=True)
class AnswerRow:
    id: str
    attempt_id: str
    learner_id: str
    module_id: str
    question_id: str
    try_no: int
    response: str
    """Canonical JSON of the response, as stored (groupable as text)."""
    score: float
    max_score: float
    correct: bool


@dc.dataclass(frozen=True, slots=True)
class ChoiceRow:
    id: str
    attempt_id: str
    learner_id: str
    module_id: str
    scenario_id: str
    step_no: int
    node_id: str
    action_id: str
    rating: str
    chosen_at: datetime


@dc.dataclass(frozen=True, slots=True)
class CertificateRow:
    learner_id: str
    score_percent: float
    issued_at: datetime


@dc.dataclass(frozen=True, slots=True)
class Cohort:
    """Everything the dashboard shows, for one set of filters."""

    filters: Filters
    learners: tuple[LearnerRow, ...]
    attempts: tuple[AttemptSummary, ...]
    """Every attempt of these learners started before ``until`` (for completion)."""
    answers: tuple[AnswerRow, ...]
    """Answers given in the range (and of the filtered module)."""
    choices: tuple[ChoiceRow, ...]
    completions: dict[str, frozenset[str]]
    """Learner ID → module IDs recorded complete before ``until``."""
    certificates: dict[str, CertificateRow]

    @property
    def attempts_in_range(self) -> tuple[AttemptSummary, ...]:
        return tuple(a for a in self.attempts if self.filters.in_range(a.started_at))


def load_cohort(engine: Engine, filters: Filters | None = None) -> Cohort:
    """One consistent snapshot (a single read transaction) of the filtered records.

    Every row, for the pure report functions; the dashboard aggregates in the database instead
    (:mod:`widgets.reports.aggregates`), and its tests check it against these functions."""
    filters = filters or Filters()
    return db.read(engine, lambda conn: _load(conn, filters))


def distinct_values(engine: Engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The đơn vị and the chức vụ/nhóm present among learners (for the filter lists)."""

    def run(conn: Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
        units = conn.execute(sa.select(learners.c.unit).distinct().order_by(learners.c.unit)).scalars()
        roles = conn.execute(sa.select(learners.c.role).distinct().order_by(learners.c.role)).scalars()
        return tuple(units), tuple(roles)

    return db.read(engine, run)


def in_time(column: sa.ColumnElement[Any], filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions: ``column`` lies in the filters' ``[since, until)``."""
    conditions = []
    if filters.since is not None:
        conditions.append(column >= filters.since)
    if filters.until is not None:
        conditions.append(column < filters.until)
    return conditions


def learner_ids(filters: Filters) -> sa.Select[*tuple[Any, ...]] | None:
    """A subquery of the IDs of the learners the filters select (``None``: every learner)."""
    if not (filters.units or filters.roles or filters.since or filters.until):
        return None
    query = sa.select(learners.c.id)
    if filters.units:
        query = query.where(learners.c.unit.in_(filters.units))
    if filters.roles:
        query = query.where(learners.c.role.in_(filters.roles))
    if filters.since is not None or filters.until is not None:
        active = sa.select(attempts.c.learner_id).where(*in_time(attempts.c.started_at, filters))
        query = query.where(
            sa.or_(sa.and_(*in_time(learners.c.created_at, filters)), learners.c.id.in_(active))
        )
    return query


def of_chosen(
    table: sa.FromClause, chosen: sa.Select[*tuple[Any, ...]] | None
) -> list[sa.ColumnElement[bool]]:
    """Conditions: the row belongs to a learner of ``chosen`` (see :func:`learner_ids`)."""
    if chosen is None:
        return []
    column = table.c.id if table is learners else table.c.learner_id
    return [column.in_(chosen)]


def chosen_learners(chosen: sa.Select[*tuple[Any, ...]] | None) -> sa.Select[*tuple[Any, ...]]:
    """The learners of ``chosen`` as :class:`LearnerRow` columns, by unit then name."""
    return (
        sa.select(
            learners.c.id,
            learners.c.full_name,
            learners.c.unit,
            learners.c.role,
            learners.c.staff_code,
            learners.c.name_key,
            learners.c.unit_key,
            learners.c.created_at,
        )
        .where(*of_chosen(learners, chosen))
        .order_by(learners.c.unit, learners.c.full_name, learners.c.id)
    )


def _load(conn: Connection, filters: Filters) -> Cohort:
    chosen = learner_ids(filters)
    learner_rows = tuple(LearnerRow(*row) for row in conn.execute(chosen_learners(chosen)).all())
    until = [attempts.c.started_at < filters.until] if filters.until is not None else []
    attempt_rows = tuple(
        AttemptSummary(*row)  # the columns in the dataclass's field order
        for row in conn.execute(
            sa.select(
                attempts.c.id,
                attempts.c.learner_id,
                attempts.c.kind,
                attempts.c.activity_id,
                attempts.c.module_id,
                attempts.c.started_at,
                attempts.c.finished_at,
                attempts.c.score,
                attempts.c.max_score,
                attempts.c.passed,
                attempts.c.pass_mark,
                attempts.c.end_node_id,
            )
            .where(*of_chosen(attempts, chosen), *until)
            .order_by(attempts.c.started_at, attempts.c.id)
        ).all()
    )
    module = [answers.c.module_id == filters.module_id] if filters.module_id else []
    answer_rows = tuple(
        AnswerRow(**row._mapping)  # by name: select() types 10 columns plus an open tail
        for row in conn.execute(
            sa.select(
                answers.c.id,
                answers.c.attempt_id,
                answers.c.learner_id,
                answers.c.module_id,
                answers.c.question_id,
                answers.c.try_no,
                answers.c.response,
                answers.c.score,
                answers.c.max_score,
                answers.c.correct,
            ).where(*of_chosen(answers, chosen), *in_time(answers.c.answered_at, filters), *module)
        ).all()
    )
    module = [scenario_choices.c.module_id == filters.module_id] if filters.module_id else []
    choice_rows = tuple(
        ChoiceRow(**row._mapping)  # by column name (as AnswerRow)
        for row in conn.execute(
            sa.select(
                scenario_choices.c.id,
                scenario_choices.c.attempt_id,
                scenario_choices.c.learner_id,
                scenario_choices.c.module_id,
                scenario_choices.c.scenario_id,
                scenario_choices.c.step_no,
                scenario_choices.c.node_id,
                scenario_choices.c.action_id,
                scenario_choices.c.rating,
                scenario_choices.c.chosen_at,
            ).where(
                *of_chosen(scenario_choices, chosen), *in_time(scenario_choices.c.chosen_at, filters), *module
            )
        ).all()
    )
    until = [completions.c.completed_at < filters.until] if filters.until is not None else []
    done: dict[str, set[str]] = defaultdict(set)
    for learner_id, module_id in conn.execute(
        sa.select(completions.c.learner_id, completions.c.module_id).where(
            *of_chosen(completions, chosen), *until
        )
    ):
        done[learner_id].add(module_id)
    until = [certificates.c.issued_at < filters.until] if filters.until is not None else []
    certs = {
        row.learner_id: CertificateRow(*row)
        for row in conn.execute(
            sa.select(
                certificates.c.learner_id, certificates.c.score_percent, certificates.c.issued_at
            ).where(*of_chosen(certificates, chosen), *until)
        )
    }
    return Cohort(
        filters=filters,
        learners=learner_rows,
        attempts=attempt_rows,
        answers=answer_rows,
        choices=choice_rows,
        completions={key: frozenset(value) for key, value in done.items()},
        certificates=certs,
    )


def group_by_learner(rows: Iterable[AttemptSummary]) -> dict[str, list[AttemptSummary]]:
    """Attempts per learner, in the order given."""
    grouped: dict[str, list[AttemptSummary]] = defaultdict(list)
    for row in rows:
        grouped[row.learner_id].append(row)
    return grouped
