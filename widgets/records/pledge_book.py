"""The learner's pledge, kept with their name and unit as they were when they made it (the first
one is kept). Called by :class:`widgets.records.store.Store`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.records import db, identity, queries, rows
from widgets.records.models import Pledge
from widgets.records.schema import pledges


def record_pledge(engine: Engine, learner_id: str, text: object, now: datetime) -> Pledge:
    """Record the learner's pledge at ``now``; the first one is kept."""
    body = identity.normalise_pledge(text)

    def run(conn: Connection) -> Pledge:
        learner = queries.learner_row(conn, learner_id)
        db.insert_ignore(
            conn,
            pledges,
            {
                "id": str(uuid.uuid4()),
                "learner_id": learner_id,
                "text": body,
                "full_name": learner.full_name,
                "unit": learner.unit,
                "pledged_at": now,
            },
        )
        row = conn.execute(sa.select(pledges).where(pledges.c.learner_id == learner_id)).one()
        return rows.pledge(row)

    return db.write(engine, run)


def pledge(engine: Engine, learner_id: str) -> Pledge | None:
    """The learner's pledge, if they made one."""
    query = sa.select(pledges).where(pledges.c.learner_id == learner_id)
    row = db.read(engine, lambda conn: conn.execute(query).first())
    return rows.pledge(row) if row else None
