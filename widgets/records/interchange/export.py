"""``records export``: every record made since a moment, as xAPI statements (:mod:`.xapi`), oldest
first, one JSON object per line. Read in one transaction; every attempt a statement needs travels
with it, so any subset of the lines can be merged (:mod:`.merge`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.jsonvalue import JsonObject
from widgets.records import db
from widgets.records.interchange.xapi import StatementBuilder, home_page
from widgets.records.schema import (
    answers,
    attempts,
    certificate_signatures,
    certificates,
    learners,
    pledges,
    scenario_choices,
    signing_keys,
)


def export_statements(
    engine: Engine,
    *,
    since: datetime | None = None,
    home: str | None = None,
    with_names: bool = False,
    course_id: str = "course",
) -> list[JsonObject]:
    """Every record made at or after ``since`` as statements, oldest first."""
    builder = StatementBuilder(home_page(home), with_names=with_names, course_id=course_id)
    return db.read(engine, lambda conn: _export(conn, builder, since))


def iter_json_lines(statements: list[JsonObject]) -> Iterator[str]:
    """One compact JSON line per statement (UTF-8 text, not ASCII-escaped)."""
    for statement in statements:
        yield json.dumps(statement, ensure_ascii=False, separators=(",", ":")) + "\n"


def _export(conn: Connection, builder: StatementBuilder, since: datetime | None) -> list[JsonObject]:
    def after(column: sa.ColumnElement[datetime]) -> list[sa.ColumnElement[bool]]:
        return [column >= since] if since is not None else []

    answer_rows = conn.execute(sa.select(answers).where(*after(answers.c.answered_at))).all()
    choice_rows = conn.execute(sa.select(scenario_choices).where(*after(scenario_choices.c.chosen_at))).all()
    cert_rows = conn.execute(sa.select(certificates).where(*after(certificates.c.issued_at))).all()
    signed = {
        row.certificate_id: row
        for row in conn.execute(
            sa.select(
                certificate_signatures.c.certificate_id,
                certificate_signatures.c.signature,
                signing_keys.c.key_id,
                signing_keys.c.public_key,
            )
            .join(signing_keys, signing_keys.c.key_id == certificate_signatures.c.key_id)
            .where(certificate_signatures.c.certificate_id.in_([row.id for row in cert_rows]))
        )
    }
    pledge_rows = conn.execute(sa.select(pledges).where(*after(pledges.c.pledged_at))).all()
    wanted = sa.union(
        sa.select(answers.c.attempt_id).where(*after(answers.c.answered_at)),
        sa.select(scenario_choices.c.attempt_id).where(*after(scenario_choices.c.chosen_at)),
    ).subquery()
    attempt_query = sa.select(attempts)
    if since is not None:
        attempt_query = attempt_query.where(
            sa.or_(
                attempts.c.started_at >= since,
                attempts.c.finished_at >= since,
                attempts.c.id.in_(sa.select(wanted.c[0])),
            )
        )
    attempt_rows = {row.id: row for row in conn.execute(attempt_query)}
    ids = {row.learner_id for row in (*attempt_rows.values(), *cert_rows, *pledge_rows)}
    learner_rows = (
        {row.id: row for row in conn.execute(sa.select(learners).where(learners.c.id.in_(sorted(ids))))}
        if ids
        else {}
    )
    out: list[tuple[datetime, int, str, JsonObject]] = []
    for row in attempt_rows.values():
        learner = learner_rows[row.learner_id]
        if since is None or row.started_at >= since:
            out.append((row.started_at, 0, row.id, builder.attempted(learner, row)))
        if row.finished_at is not None and (since is None or row.finished_at >= since):
            out.append((row.finished_at, 2, row.id, builder.finished(learner, row)))
    for row in answer_rows:
        attempt = attempt_rows[row.attempt_id]
        statement = builder.answered(learner_rows[row.learner_id], attempt, row, json.loads(row.cites))
        out.append((row.answered_at, 1, row.id, statement))
    for row in choice_rows:
        attempt = attempt_rows[row.attempt_id]
        out.append((row.chosen_at, 1, row.id, builder.chose(learner_rows[row.learner_id], attempt, row)))
    for row in cert_rows:
        statement = builder.certified(learner_rows[row.learner_id], row, signed.get(row.id))
        out.append((row.issued_at, 3, row.id, statement))
    for row in pledge_rows:
        out.append((row.pledged_at, 3, row.id, builder.pledged(learner_rows[row.learner_id], row)))
    out.sort(key=lambda item: item[:3])
    return [statement for *_, statement in out]
