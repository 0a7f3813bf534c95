"""Opening a store whose schema is current: every page's kernel does it, so it must not write."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.records import db, migrations
from widgets.records.store import open_store


def test_a_current_schema_is_checked_with_one_read(db_url: str, data_dir: Path) -> None:
    open_store(db_url, data=data_dir)  # creates and migrates
    engine = db.create_engine(db_url)  # a fresh engine, as in a new kernel
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        assert migrations.upgrade(engine) == migrations.CURRENT_VERSION
    finally:
        engine.dispose()
    checks = [s for s in statements if "schema_version" in s]
    assert len(checks) == 1 and checks[0].lstrip().upper().startswith("SELECT")
    writes = ("BEGIN IMMEDIATE", "PG_ADVISORY", "INSERT", "CREATE", "ALTER")
    assert not [s for s in statements if any(word in s.upper() for word in writes)]


def test_a_page_opens_while_another_kiosk_holds_the_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    open_store(url, data=tmp_path)
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
    monkeypatch.setattr(db, "WRITE_TRIES", 1)
    writer = sqlite3.connect(tmp_path / "records.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another kiosk in the middle of saving an answer
    engine = db.create_engine(url)
    try:
        assert migrations.upgrade(engine) == migrations.CURRENT_VERSION
    finally:
        engine.dispose()
        writer.execute("ROLLBACK")
        writer.close()


def test_an_empty_database_is_still_migrated(db_url: str) -> None:
    engine = db.create_engine(db_url)
    try:
        assert migrations.upgrade(engine) == migrations.CURRENT_VERSION
        assert sa.inspect(engine).has_table("learners")
    finally:
        engine.dispose()
