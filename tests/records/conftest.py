"""Records fixtures: every ``store`` test runs on SQLite and on PostgreSQL.

PostgreSQL runs when ``NEUGUONG_TEST_PG_URL`` is set (``eval "$(bash .ci/postgres.sh)"``);
each test gets a schema of its own. Without the URL the PostgreSQL variant is skipped, or
fails when ``NEUGUONG_REQUIRE_PG=1`` (as in CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from records_helpers import Clock
from sqlalchemy.pool import NullPool

from widgets.records import db
from widgets.records.config import sqlite_url
from widgets.records.store import Store, open_store

PG_URL = os.environ.get("NEUGUONG_TEST_PG_URL", "").strip()
REQUIRE_PG = os.environ.get("NEUGUONG_REQUIRE_PG") == "1"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def pg_available() -> None:
    """Skip (or fail, under ``NEUGUONG_REQUIRE_PG=1``) when no PostgreSQL is configured."""
    if PG_URL:
        return
    if REQUIRE_PG:
        pytest.fail("NEUGUONG_REQUIRE_PG=1 but NEUGUONG_TEST_PG_URL is not set")
    pytest.skip('no PostgreSQL: set NEUGUONG_TEST_PG_URL (eval "$(bash .ci/postgres.sh)")')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "db" / "records.sqlite")
        db.dispose_engines()
        return
    pg_available()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(PG_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        db.dispose_engines()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The installation's data folder (certificate secret)."""
    return tmp_path / "data"


@pytest.fixture
def store(db_url: str, data_dir: Path) -> Store:
    return open_store(db_url, data=data_dir)


@pytest.fixture
def clock(store: Store) -> Clock:
    fake = Clock(datetime(2025, 3, 10, 2, 0, tzinfo=UTC))  # 09:00 in Sơn La
    store.clock = fake
    return fake
