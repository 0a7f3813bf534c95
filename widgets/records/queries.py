"""SQL the store's methods share; each function runs inside its caller's transaction."""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from widgets.i18n import t
from widgets.records import db, identity, policy, rows
from widgets.records.errors import AttemptConflictError, AttemptLimitError, NotFoundError, SignInError
from widgets.records.models import AttemptSummary, StoredAnswer, StoredChoice
from widgets.records.schema import answers, attempts, certificates, learners, scenario_choices

QUIZ = "quiz"
SCENARIO = "scenario"
REVIEW = "review"
"""A spaced review (issue 20): its answers and its one scenario decision share one attempt of this
kind, whose activity is :data:`REVIEW_ID`; it never counts as a module's or the final's attempt."""
REVIEW_ID = "review"


def match_learner(conn: Connection, entry: identity.SignIn) -> Row[Any] | None:
    if entry.staff_code:
        query = sa.select(learners).where(learners.c.staff_code == entry.staff_code)
        return conn.execute(query).first()
    found = conn.execute(
        sa.select(learners)
        .where(learners.c.name_key == entry.name_key, learners.c.unit_key == entry.unit_key)
        .order_by(learners.c.created_at)
    ).all()
    uncoded = [row for row in found if row.staff_code is None]
    if uncoded:
        return uncoded[0]
    if len(found) == 1:
        return found[0]
    if found:
        raise SignInError(
            t("signin.error.name_ambiguous"),
            "staff_code",
        )
    return None


def ensure_attempt(
    conn: Connection,
    learner_id: str,
    kind: str,
    activity_id: str,
    module_id: str,
    attempt_id: str,
    now: datetime,
) -> AttemptSummary:
    """The attempt row, created if missing (the final's daily limit applies then)."""
    return find_or_add_attempt(conn, learner_id, kind, activity_id, module_id, attempt_id, now)[0]


def find_or_add_attempt(
    conn: Connection,
    learner_id: str,
    kind: str,
    activity_id: str,
    module_id: str,
    attempt_id: str,
    started_at: datetime,
    *,
    limit: bool = True,
) -> tuple[AttemptSummary, bool]:
    """The attempt row, created if missing, and whether this call created it.

    ``limit``: the final's daily limit applies to a new attempt (``False`` for an attempt merged
    from another machine, made there already). :class:`AttemptConflictError` if the ID is
    another learner's or another activity's."""
    row = first(conn, attempts, attempt_id)
    created = False
    if row is None:
        learner_row(conn, learner_id, lock=True)
        if limit and kind == QUIZ and activity_id == policy.FINAL_ID:
            check_final_limit(conn, learner_id, started_at)
        created = db.insert_ignore(
            conn,
            attempts,
            {
                "id": attempt_id,
                "learner_id": learner_id,
                "kind": kind,
                "activity_id": rows.text_id(activity_id, "activity_id"),
                "module_id": rows.text_id(module_id, "module_id"),
                "started_at": started_at,
            },
        )
        row = one(conn, attempts, attempt_id)
    if (row.learner_id, row.kind, row.activity_id) != (learner_id, kind, activity_id):
        raise AttemptConflictError(t("records.attempt_not_yours", attempt_id=attempt_id))
    return rows.attempt(row), created


def add_learner(
    conn: Connection,
    learner_id: str,
    *,
    name: str,
    unit: str,
    role: str,
    staff_code: str | None,
    created_at: datetime,
    name_key: str | None = None,
) -> bool:
    """Insert a learner's row (its keys from the name and unit) unless the ID or the staff code
    is taken; whether it was inserted. ``name_key=""`` keeps a learner merged without a name
    out of every sign-in by name."""
    values = {
        "id": learner_id,
        "full_name": name,
        "unit": unit,
        "role": role,
        "staff_code": staff_code,
        "name_key": identity.identity_key(name) if name_key is None else name_key,
        "unit_key": identity.identity_key(unit),
        "created_at": created_at,
    }
    return db.insert_ignore(conn, learners, values)


def check_final_limit(conn: Connection, learner_id: str, now: datetime) -> None:
    start, end = policy.local_day(now)
    count = conn.execute(
        sa.select(sa.func.count())
        .select_from(attempts)
        .where(
            attempts.c.learner_id == learner_id,
            attempts.c.kind == QUIZ,
            attempts.c.activity_id == policy.FINAL_ID,
            attempts.c.started_at >= start,
            attempts.c.started_at < end,
        )
    ).scalar_one()
    if count >= policy.MAX_FINAL_ATTEMPTS_PER_DAY:
        raise AttemptLimitError(
            t("records.final_attempts_today", count=count, most=policy.MAX_FINAL_ATTEMPTS_PER_DAY)
        )


def latest_answers(conn: Connection, attempt_id: str) -> MappingProxyType[str, StoredAnswer]:
    found = conn.execute(
        sa.select(answers)
        .where(answers.c.attempt_id == attempt_id)
        .order_by(answers.c.try_no, answers.c.answered_at, answers.c.id)
    ).all()
    return MappingProxyType({row.question_id: rows.answer(row) for row in found})


def steps(conn: Connection, attempt_id: str) -> tuple[StoredChoice, ...]:
    found = conn.execute(
        sa.select(scenario_choices)
        .where(scenario_choices.c.attempt_id == attempt_id)
        .order_by(scenario_choices.c.step_no, scenario_choices.c.chosen_at)
    ).all()
    by_step = {row.step_no: row for row in found}  # a step written twice: the latest wins
    return tuple(rows.choice(by_step[n]) for n in sorted(by_step))


def first(conn: Connection, table: sa.Table, key: str) -> Row[Any] | None:
    return conn.execute(sa.select(table).where(table.c.id == key)).first()


def one(conn: Connection, table: sa.Table, key: str) -> Row[Any]:
    return conn.execute(sa.select(table).where(table.c.id == key)).one()


def learner_row(conn: Connection, learner_id: str, *, lock: bool = False) -> Row[Any]:
    query = sa.select(learners).where(learners.c.id == learner_id)
    if lock:
        query = query.with_for_update()  # PostgreSQL; SQLite's BEGIN IMMEDIATE already locks
    row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(t("records.learner_not_found", learner_id=learner_id))
    return row


def certificate_row(conn: Connection, learner_id: str) -> Row[Any] | None:
    query = sa.select(certificates).where(certificates.c.learner_id == learner_id)
    return conn.execute(query).first()
