"""Reports fixtures: every database test runs on SQLite and, when configured, PostgreSQL.

Same pattern as ``tests/records/conftest.py``: PostgreSQL runs when
``NEUGUONG_TEST_PG_URL`` is set (each test gets its own schema), and is required under
``NEUGUONG_REQUIRE_PG=1``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.records import db
from widgets.records.config import sqlite_url
from widgets.records.store import Store, open_store

PG_URL = os.environ.get("NEUGUONG_TEST_PG_URL", "").strip()
REQUIRE_PG = os.environ.get("NEUGUONG_REQUIRE_PG") == "1"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _pg_available() -> None:
    if PG_URL:
        return
    if REQUIRE_PG:
        pytest.fail("NEUGUONG_REQUIRE_PG=1 but NEUGUONG_TEST_PG_URL is not set")
    pytest.skip('no PostgreSQL: set NEUGUONG_TEST_PG_URL (eval "$(bash .ci/postgres.sh)")')


def _database(backend: str, folder: Path, name: str = "records") -> Iterator[str]:
    if backend == "sqlite":
        yield sqlite_url(folder / "db" / f"{name}.sqlite")
        return
    _pg_available()
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


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    yield from _database(backend, tmp_path)
    db.dispose_engines()


@pytest.fixture
def make_store(backend: str, tmp_path: Path) -> Iterator:
    """A factory of extra empty stores on the same backend (kiosks, a trainer's machine)."""
    opened: list[Iterator[str]] = []

    def make(name: str) -> Store:
        gen = _database(backend, tmp_path / name, name)
        opened.append(gen)
        return open_store(next(gen), data=tmp_path / name / "data")

    yield make
    db.dispose_engines()
    for gen in opened:
        next(gen, None)


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Store:
    return open_store(db_url, data=tmp_path / "data")


@pytest.fixture(scope="session")
def real_course() -> Course:
    """The kit's own course (content/)."""
    return load_course(Path(__file__).resolve().parents[2] / "content")
