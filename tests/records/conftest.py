"""Records fixtures: every ``store`` test runs on SQLite and on PostgreSQL.

PostgreSQL runs when ``NEUGUONG_TEST_PG_URL`` is set (``eval "$(bash .ci/postgres.sh)"``);
each test gets a schema of its own. Without the URL the PostgreSQL variant is skipped, or
fails when ``NEUGUONG_REQUIRE_PG=1`` (as in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from widgets.records.store import Store, open_store

from db_backends import BACKENDS, database
from records_helpers import Clock


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each backend."""
    yield from database(request.param, tmp_path)


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
