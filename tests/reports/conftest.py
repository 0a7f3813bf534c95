"""Reports fixtures: every database test runs on SQLite and, when configured, PostgreSQL.

The backends come from ``tests/db_backends.py``, shared with the records tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.records import db
from widgets.records.store import Store, open_store

from db_backends import BACKENDS, database


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    yield from database(backend, tmp_path)
    db.dispose_engines()


@pytest.fixture
def make_store(backend: str, tmp_path: Path) -> Iterator:
    """A factory of extra empty stores on the same backend (kiosks, a trainer's machine)."""
    opened: list[Iterator[str]] = []

    def make(name: str) -> Store:
        gen = database(backend, tmp_path / name, name)
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
