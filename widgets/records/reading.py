"""Reading a learner's attempts back: the attempt to resume (quiz, scenario or review) and the
course progress (each module's state, recording completions found for the first time). Called by
:class:`widgets.records.store.Store`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.engine.progress import ModuleState, Requirement, module_state
from widgets.records import db, policy, queries, rows
from widgets.records.models import AttemptSummary, OpenAttempt, Progress, StoredAnswer, StoredChoice
from widgets.records.queries import QUIZ, REVIEW, SCENARIO
from widgets.records.schema import answers, attempts, certificates, completions, pledges, scenario_choices


def attempt_list(engine: Engine, learner_id: str, activity_id: str | None) -> list[AttemptSummary]:
    """The learner's attempts (of one quiz or scenario if given), oldest first."""
    query = (
        sa.select(attempts)
        .where(attempts.c.learner_id == learner_id)
        .order_by(attempts.c.started_at, attempts.c.id)
    )
    if activity_id is not None:
        query = query.where(attempts.c.activity_id == activity_id)
    found = db.read(engine, lambda conn: conn.execute(query).all())
    return [rows.attempt(row) for row in found]


def answer_list(engine: Engine, learner_id: str) -> list[StoredAnswer]:
    """Every answer of a learner, in the order given."""
    query = (
        sa.select(answers)
        .where(answers.c.learner_id == learner_id)
        .order_by(answers.c.answered_at, answers.c.id)
    )
    return [rows.answer(row) for row in db.read(engine, lambda c: c.execute(query).all())]


def choice_list(engine: Engine, learner_id: str) -> list[StoredChoice]:
    """Every scenario choice of a learner (runs and reviews), oldest first."""
    query = (
        sa.select(scenario_choices)
        .where(scenario_choices.c.learner_id == learner_id)
        .order_by(scenario_choices.c.chosen_at, scenario_choices.c.id)
    )
    return [rows.choice(row) for row in db.read(engine, lambda c: c.execute(query).all())]


def latest_unfinished(conn: Connection, learner_id: str, which: sa.ColumnElement[bool]) -> sa.Row[Any] | None:
    """The learner's latest unfinished attempt matching ``which`` (to resume), else ``None``."""
    return conn.execute(
        sa.select(attempts)
        .where(attempts.c.learner_id == learner_id, which, attempts.c.finished_at.is_(None))
        .order_by(attempts.c.started_at.desc(), attempts.c.id.desc())
        .limit(1)
    ).first()


def open_attempt(engine: Engine, learner_id: str, activity_id: str) -> OpenAttempt | None:
    """:meth:`widgets.records.store.Store.open_attempt`."""

    def run(conn: Connection) -> OpenAttempt | None:
        row = latest_unfinished(conn, learner_id, attempts.c.activity_id == activity_id)
        if row is None:
            return None
        if row.kind == SCENARIO:
            return OpenAttempt(rows.attempt(row), steps=queries.steps(conn, row.id))
        return OpenAttempt(rows.attempt(row), answers=queries.latest_answers(conn, row.id))

    return db.read(engine, run)


def open_review(engine: Engine, learner_id: str) -> OpenAttempt | None:
    """:meth:`widgets.records.store.Store.open_review`."""

    def run(conn: Connection) -> OpenAttempt | None:
        row = latest_unfinished(conn, learner_id, attempts.c.kind == REVIEW)
        if row is None:
            return None
        return OpenAttempt(
            rows.attempt(row),
            answers=queries.latest_answers(conn, row.id),
            steps=queries.steps(conn, row.id),
        )

    return db.read(engine, run)


def progress(
    engine: Engine, clock: Callable[[], datetime], learner_id: str, requirements: Sequence[Requirement]
) -> Progress:
    """:meth:`widgets.records.store.Store.progress`."""

    def run(
        conn: Connection,
    ) -> tuple[list[AttemptSummary], set[str], sa.Row[Any] | None, sa.Row[Any] | None]:
        found = conn.execute(sa.select(attempts).where(attempts.c.learner_id == learner_id)).all()
        done = conn.execute(
            sa.select(completions.c.module_id).where(completions.c.learner_id == learner_id)
        ).scalars()
        pledge = conn.execute(sa.select(pledges).where(pledges.c.learner_id == learner_id)).first()
        cert = conn.execute(sa.select(certificates).where(certificates.c.learner_id == learner_id)).first()
        return [rows.attempt(row) for row in found], set(done), pledge, cert

    summaries, recorded, pledge_row, cert_row = db.read(engine, run)
    states = {req.module_id: module_state(req, summaries, req.module_id in recorded) for req in requirements}
    new = [m for m, s in states.items() if s is ModuleState.COMPLETE and m not in recorded]
    if new:
        _record_completions(engine, learner_id, new, clock())
    finals = [a for a in summaries if a.kind == QUIZ and a.activity_id == policy.FINAL_ID]
    return Progress(
        states=MappingProxyType(states),
        final=policy.final_status(finals, clock()),
        pledge=rows.pledge(pledge_row) if pledge_row else None,
        certificate=rows.certificate(cert_row) if cert_row else None,
    )


def _record_completions(engine: Engine, learner_id: str, module_ids: Iterable[str], now: datetime) -> None:
    def run(conn: Connection) -> None:
        for module_id in module_ids:
            db.insert_ignore(
                conn,
                completions,
                {"learner_id": learner_id, "module_id": module_id, "completed_at": now},
            )

    db.write(engine, run)
