"""Every row of the filtered records, loaded in one read transaction (for the reference statistics)."""

from __future__ import annotations

import dataclasses as dc
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.records import db
from widgets.records.models import AttemptSummary, StoredChoice
from widgets.records.schema import answers, attempts, certificates, completions, scenario_choices
from widgets.records.statistics.completion import LearnerRow, chosen_learners
from widgets.records.statistics.filters import Filters, in_time, learner_ids, of_chosen, up_to


@dc.dataclass(frozen=True, slots=True)
class AnswerRow:
    """An answer as the item analysis groups it (:class:`~widgets.records.models.StoredAnswer`
    decodes the response; here it stays the stored text)."""

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
class Cohort:
    """Everything the dashboard shows, for one set of filters."""

    filters: Filters
    learners: tuple[LearnerRow, ...]
    attempts: tuple[AttemptSummary, ...]
    """Every attempt of these learners started before ``until`` (for completion)."""
    answers: tuple[AnswerRow, ...]
    """Answers given in the range (and of the filtered module)."""
    choices: tuple[StoredChoice, ...]
    """Scenario choices made in the range (and of the filtered module)."""
    completions: dict[str, frozenset[str]]
    """Learner ID → module IDs recorded complete before ``until``."""
    certified: frozenset[str]
    """Learners with a certificate issued before ``until``."""

    @property
    def attempts_in_range(self) -> tuple[AttemptSummary, ...]:
        return tuple(a for a in self.attempts if self.filters.in_range(a.started_at))


def load_cohort(engine: Engine, filters: Filters | None = None) -> Cohort:
    """One consistent snapshot (a single read transaction) of the filtered records."""
    filters = filters or Filters()
    return db.read(engine, lambda conn: _load(conn, filters))


def group_by_learner(rows: Iterable[AttemptSummary]) -> dict[str, list[AttemptSummary]]:
    """Attempts per learner, in the order given."""
    grouped: dict[str, list[AttemptSummary]] = defaultdict(list)
    for row in rows:
        grouped[row.learner_id].append(row)
    return grouped


def _load(conn: Connection, filters: Filters) -> Cohort:
    chosen = learner_ids(filters)
    learner_rows = tuple(LearnerRow(*row) for row in conn.execute(chosen_learners(chosen)).all())
    a = attempts.c
    attempt_rows = tuple(
        AttemptSummary(*row)  # the columns in the dataclass's field order
        for row in conn.execute(
            sa.select(
                a.id,
                a.learner_id,
                a.kind,
                a.activity_id,
                a.module_id,
                a.started_at,
                a.finished_at,
                a.score,
                a.max_score,
                a.passed,
                a.pass_mark,
                a.end_node_id,
            )
            .where(*of_chosen(attempts, chosen), *up_to(a.started_at, filters))
            .order_by(a.started_at, a.id)
        ).all()
    )
    an = answers.c
    module = [an.module_id == filters.module_id] if filters.module_id else []
    answer_rows = tuple(
        AnswerRow(**row._mapping)
        for row in conn.execute(
            sa.select(
                an.id,
                an.attempt_id,
                an.learner_id,
                an.module_id,
                an.question_id,
                an.try_no,
                an.response,
                an.score,
                an.max_score,
                an.correct,
            ).where(*of_chosen(answers, chosen), *in_time(an.answered_at, filters), *module)
        ).all()
    )
    sc = scenario_choices.c
    module = [sc.module_id == filters.module_id] if filters.module_id else []
    choice_rows = tuple(
        StoredChoice(**row._mapping)
        for row in conn.execute(
            sa.select(
                sc.id,
                sc.attempt_id,
                sc.learner_id,
                sc.module_id,
                sc.scenario_id,
                sc.step_no,
                sc.node_id,
                sc.action_id,
                sc.rating,
                sc.next_node_id,
                sc.chosen_at,
            ).where(*of_chosen(scenario_choices, chosen), *in_time(sc.chosen_at, filters), *module)
        ).all()
    )
    done: dict[str, set[str]] = defaultdict(set)
    for learner_id, module_id in conn.execute(
        sa.select(completions.c.learner_id, completions.c.module_id).where(
            *of_chosen(completions, chosen), *up_to(completions.c.completed_at, filters)
        )
    ):
        done[learner_id].add(module_id)
    certified = frozenset(
        conn.execute(
            sa.select(certificates.c.learner_id).where(
                *of_chosen(certificates, chosen), *up_to(certificates.c.issued_at, filters)
            )
        ).scalars()
    )
    return Cohort(
        filters=filters,
        learners=learner_rows,
        attempts=attempt_rows,
        answers=answer_rows,
        choices=choice_rows,
        completions={key: frozenset(value) for key, value in done.items()},
        certified=certified,
    )
