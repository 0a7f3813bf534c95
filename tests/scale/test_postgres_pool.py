"""PostgreSQL settings for many kernels and PgBouncer: a small pool, no prepared statements.

Every page's kernel has its own engine, so the pool is 1 connection (+1 for a moment), not
10; psycopg's automatic server-side prepared statements are off (``prepare_threshold=None``)
so that PgBouncer in transaction mode, which hands each transaction to any server
connection, never meets a statement prepared on another one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.records import db
from widgets.records.errors import RecordsError

from db_backends import database


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    yield from database("postgresql", tmp_path)


def test_postgres_pool_is_one_connection_plus_one(pg_url: str) -> None:
    engine = db.create_engine(pg_url)
    try:
        assert engine.pool.size() == db.PG_POOL_SIZE == 1
        assert engine.pool._max_overflow == db.PG_MAX_OVERFLOW == 1  # type: ignore[attr-defined]
        with engine.connect() as one, engine.connect() as two:
            pids = {c.execute(sa.text("SELECT pg_backend_pid()")).scalar() for c in (one, two)}
        assert len(pids) == 2  # the overflow connection opens
        assert engine.pool.checkedin() == 1  # and only one is kept afterwards
    finally:
        engine.dispose()


def test_pool_size_can_be_set_for_a_bigger_process(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(db.POOL_SIZE_ENV, "4")
    monkeypatch.setenv(db.MAX_OVERFLOW_ENV, "0")
    engine = db.create_engine(pg_url)
    try:
        assert engine.pool.size() == 4 and engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    finally:
        engine.dispose()
    monkeypatch.setenv(db.POOL_SIZE_ENV, "viec")
    with pytest.raises(RecordsError, match="NEUGUONG_DB_POOL_SIZE phải là một số nguyên"):
        db.create_engine(pg_url)


def test_psycopg_never_prepares_statements(pg_url: str) -> None:
    """Ten runs of one query: psycopg would prepare it after 5 (its default threshold)."""
    engine = db.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert conn.connection.dbapi_connection.prepare_threshold is None  # type: ignore[union-attr]
            for _ in range(10):
                conn.execute(sa.text("SELECT 1 + :n"), {"n": 1}).scalar()
            prepared = conn.execute(sa.text("SELECT count(*) FROM pg_prepared_statements")).scalar()
        assert prepared == 0
    finally:
        engine.dispose()

    # The same engine without the setting does prepare: the check above can fail.
    plain = sa.create_engine(pg_url)
    try:
        with plain.connect() as conn:
            for _ in range(10):
                conn.execute(sa.text("SELECT 1 + :n"), {"n": 1}).scalar()
            assert conn.execute(sa.text("SELECT count(*) FROM pg_prepared_statements")).scalar() >= 1
    finally:
        plain.dispose()


def test_connect_args_only_for_psycopg() -> None:
    assert db.pg_connect_args("psycopg") == {"prepare_threshold": None}
    assert db.pg_connect_args("psycopg2") == {}
