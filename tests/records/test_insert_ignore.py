"""``insert_ignore`` tells whether it inserted, on both backends."""

from __future__ import annotations

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
