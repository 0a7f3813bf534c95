"""Writing an attempt's rows: the ``answers`` and ``scenario_choices`` rows checked field by
field, one row per transaction (its attempt created if needed), and closing an attempt. Called by
:class:`widgets.records.store.Store`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Required, TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.engine.results import AnswerResult, ScenarioStep
from widgets.records import db, queries, rows, timelines
from widgets.records.models import AttemptSummary
from widgets.records.schema import attempts


def answer_values(
    answer_id: str,
    attempt_id: str,
    learner_id: str,
    module_id: str,
    answer: AnswerResult,
    try_no: int,
    at: datetime,
) -> dict[str, object]:
    """An ``answers`` row for ``answer`` (question ID, try, score and response checked)."""
    return {
        "id": answer_id,
        "attempt_id": attempt_id,
        "learner_id": learner_id,
        "module_id": module_id,
        "question_id": rows.text_id(answer.question_id, "question_id"),
        "try_no": rows.positive(try_no, "try_no"),
        "response": rows.encode_json(answer.response),
        "score": rows.finite(answer.score, "score"),
        "max_score": rows.finite(answer.max_score, "max_score"),
        "correct": bool(answer.correct),
        "cites": rows.encode_json(answer.cites),
        "answered_at": at,
    }


def choice_values(
    choice_id: str,
    attempt_id: str,
    learner_id: str,
    module_id: str,
    scenario_id: str,
    step_no: int,
    step: ScenarioStep,
    at: datetime,
) -> dict[str, object]:
    """A ``scenario_choices`` row for ``step`` (node, action and next node checked)."""
    return {
        "id": choice_id,
        "attempt_id": attempt_id,
        "learner_id": learner_id,
        "module_id": module_id,
        "scenario_id": scenario_id,
        "step_no": step_no,
        "node_id": rows.text_id(step.node_id, "node_id"),
        "action_id": rows.text_id(step.action_id, "action_id"),
        "rating": str(step.rating),
        "next_node_id": rows.text_id(step.next_node_id, "next_node_id"),
        "chosen_at": at,
    }


class Finished(TypedDict, total=False):
    """An attempt's columns set when it ends (quiz, scenario or review)."""

    finished_at: Required[datetime]
    score: float
    max_score: float
    passed: bool
    pass_mark: int
    end_node_id: str | None


def write_row(
    engine: Engine,
    known: dict[str, tuple[str, str, str]],
    table: sa.Table,
    values: dict[str, object],
    owner: tuple[str, str, str],
    module_id: str,
    at: datetime,
) -> None:
    """Insert one answer or choice in its own transaction, creating its attempt if
    needed; a repeated row is ignored. A new row refreshes the learner's mastery timelines
    (:mod:`widgets.records.timelines`) in the same transaction. ``known`` maps the attempt IDs
    already checked in this process to their owner (later rows skip the lookup)."""
    attempt_id = str(values["attempt_id"])  # a UUID text, checked by rows

    def insert(conn: Connection) -> None:
        evidence = values.get("try_no", 1) == 1  # a second try is never evidence (mastery.outcomes)
        if db.insert_ignore(conn, table, values) and evidence:
            timelines.refresh(conn, [owner[0]])

    if known.get(attempt_id) == owner:
        try:
            db.write(engine, insert)
            return
        except sa.exc.IntegrityError:  # the attempt is gone (learner deleted?)
            known.pop(attempt_id, None)

    def run(conn: Connection) -> None:
        queries.ensure_attempt(conn, *owner, module_id, attempt_id, at)
        insert(conn)

    db.write(engine, run)
    known[attempt_id] = owner


def finish(
    engine: Engine,
    learner_id: str,
    kind: str,
    activity_id: str,
    module_id: str | None,
    attempt_id: str,
    values: Finished,
) -> AttemptSummary:
    """Close an attempt with ``values``; the first finish counts (idempotent)."""
    attempt_id = rows.as_uuid(attempt_id)

    def run(conn: Connection) -> AttemptSummary:
        queries.ensure_attempt(
            conn,
            learner_id,
            kind,
            activity_id,
            module_id or activity_id,
            attempt_id,
            values["finished_at"],
        )
        conn.execute(
            attempts.update()
            .where(attempts.c.id == attempt_id, attempts.c.finished_at.is_(None))
            .values(**values)
        )
        return rows.attempt(queries.one(conn, attempts, attempt_id))

    return db.write(engine, run)
