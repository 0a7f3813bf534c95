"""A learner's right to their data: everything stored about them as JSON-able data, and
deletion of the learner with every row of theirs. Called by :class:`widgets.records.store.Store`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.records import db, migrations, queries, rows
from widgets.records.schema import LEARNER_TABLES, learners

EXPORT_FORMAT = "neuguong-learner-export"
_SECRET_COLUMNS = frozenset({"pin_hash", "pin_salt"})
"""Never exported, even to the learner."""


def export_learner(engine: Engine, learner_id: str, clock: Callable[[], datetime]) -> dict[str, object]:
    """Everything stored about one learner, as JSON-able data (exported at ``clock()``)."""

    def run(conn: Connection) -> dict[str, object]:
        learner = queries.learner_row(conn, learner_id)
        out: dict[str, object] = {
            "format": EXPORT_FORMAT,
            "format_version": 1,
            "schema_version": migrations.current_version(conn),
            "exported_at": rows.iso(clock()),
            "learner": rows.jsonable_row(learner),
        }
        for table in reversed(LEARNER_TABLES):
            query = sa.select(table).where(table.c.learner_id == learner_id)
            order = [c for c in ("started_at", "answered_at", "chosen_at") if c in table.c]
            query = query.order_by(*(table.c[c] for c in order), *table.primary_key)
            out[table.name] = [
                {k: v for k, v in rows.jsonable_row(row).items() if k not in _SECRET_COLUMNS}
                for row in conn.execute(query)
            ]
        return out

    return db.read(engine, run)


def delete_learner(engine: Engine, learner_id: str) -> dict[str, int]:
    """Delete one learner and every row of theirs; return rows deleted per table."""

    def run(conn: Connection) -> dict[str, int]:
        counts = {}
        for table in (*LEARNER_TABLES, learners):
            column = table.c.id if table is learners else table.c.learner_id
            counts[table.name] = conn.execute(table.delete().where(column == learner_id)).rowcount
        return counts

    return db.write(engine, run)
