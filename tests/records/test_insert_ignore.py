"""``insert_ignore`` tells whether it inserted, and a read sees one snapshot, on both backends."""

from __future__ import annotations

import sqlalchemy as sa

from widgets.records import db
from widgets.records.schema import learners
from widgets.records.store import Store


def test_insert_ignore_reports_inserted_then_ignored(store: Store) -> None:
    row = {
        "id": "00000000-0000-4000-8000-000000000001",
        "full_name": "Lò Văn Minh",
        "unit": "Sở Nội vụ",
        "role": "lãnh đạo",
        "staff_code": None,
        "name_key": "lò văn minh",
        "unit_key": "sở nội vụ",
        "created_at": store.clock(),
    }
    assert db.write(store.engine, lambda conn: db.insert_ignore(conn, learners, row)) is True
    assert db.write(store.engine, lambda conn: db.insert_ignore(conn, learners, row)) is False


def test_a_read_sees_one_snapshot(store: Store) -> None:
    """A row committed by another writer during a read is not seen half-way through it."""
    from widgets.records.identity import STAFF

    count = sa.select(sa.func.count()).select_from(learners)

    def read_twice(conn: sa.Connection) -> tuple[int, int]:
        before = conn.execute(count).scalar_one()
        store.sign_in("Cầm Thị Lan", "Sở Y tế", STAFF)  # its own connection and transaction
        return before, conn.execute(count).scalar_one()

    before, after = db.read(store.engine, read_twice)

    assert before == after
    assert db.read(store.engine, lambda conn: conn.execute(count).scalar_one()) == before + 1
