"""What the trainer chose on the dashboard, as SQL conditions, and the SQL the statistics share.

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
from datetime import datetime
from typing import TypeAlias, TypeVarTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.records import db
from widgets.records.schema import attempts, learners

Ids: TypeAlias = sa.Select[str]
"""A query of IDs, one text column (learners', attempts'), for ``IN (…)``."""
_Ts = TypeVarTuple("_Ts")


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


def distinct_values(engine: Engine) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The đơn vị and the chức vụ/nhóm present among learners (for the filter lists)."""

    def run(conn: Connection) -> tuple[tuple[str, ...], tuple[str, ...]]:
        units = conn.execute(sa.select(learners.c.unit).distinct().order_by(learners.c.unit)).scalars()
        roles = conn.execute(sa.select(learners.c.role).distinct().order_by(learners.c.role)).scalars()
        return tuple(units), tuple(roles)

    return db.read(engine, run)


def in_time(column: sa.ColumnElement[datetime], filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions: ``column`` lies in the filters' ``[since, until)``."""
    conditions = []
    if filters.since is not None:
        conditions.append(column >= filters.since)
    if filters.until is not None:
        conditions.append(column < filters.until)
    return conditions


def up_to(column: sa.ColumnElement[datetime], filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Conditions: ``column`` comes before the filters' ``until`` (what is cumulative, as completion)."""
    return [column < filters.until] if filters.until is not None else []


def learner_ids(filters: Filters) -> Ids | None:
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


def of_chosen(table: sa.FromClause, chosen: Ids | None) -> list[sa.ColumnElement[bool]]:
    """Conditions: the row belongs to a learner of ``chosen`` (see :func:`learner_ids`)."""
    if chosen is None:
        return []
    column = table.c.id if table is learners else table.c.learner_id
    return [column.in_(chosen)]


def quiz_attempts(filters: Filters, chosen: Ids | None, quiz_id: str) -> list[sa.ColumnElement[bool]]:
    """Conditions: attempts at ``quiz_id`` started in the range, by the chosen learners."""
    return [
        attempts.c.kind == "quiz",
        attempts.c.activity_id == quiz_id,
        *of_chosen(attempts, chosen),
        *in_time(attempts.c.started_at, filters),
    ]


def distinct_on(query: sa.Select[*_Ts], *columns: sa.ColumnElement[object]) -> sa.Select[*_Ts]:
    """``query`` with ``DISTINCT ON (columns)`` (PostgreSQL only), as SQLAlchemy 2.1 or 2.0 spells it."""
    try:
        from sqlalchemy.dialects.postgresql import distinct_on as on
    except ImportError:  # SQLAlchemy 2.0
        return query.distinct(*columns)
    return query.ext(on(*columns))
