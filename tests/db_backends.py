"""The two records backends for database tests: SQLite always, PostgreSQL when configured.

PostgreSQL runs when ``NEUGUONG_TEST_PG_URL`` is set (``eval "$(bash .ci/postgres.sh)"``);
each database gets a schema of its own. Without the URL the PostgreSQL variant is skipped,
or fails when ``NEUGUONG_REQUIRE_PG=1`` (as in CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from widgets.records import db
from widgets.records.config import sqlite_url

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


def database(backend: str, folder: Path, name: str = "records") -> Iterator[str]:
    """Yield the URL of a fresh, empty database; drop it afterwards."""
    if backend == "sqlite":
        yield sqlite_url(folder / "db" / f"{name}.sqlite")
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
