"""The site's health check on the records store (``/healthz``, :mod:`widgets.site.app`): open it
cheaply, create and migrate nothing (kernels do that). Runs in the server process, not a kernel."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

from widgets.records.config import DB_FILE

PG_CONNECT_TIMEOUT_S = 3


def check_store(data_dir: Path, db_url: str | None) -> tuple[bool, str]:
    """Open the records store cheaply; return (ok, what: ``sqlite``/``postgresql``/reason).

    SQLite: the data folder must exist and be writable; the file, once created by a kernel,
    must open read-only and answer. PostgreSQL: connect (3 s timeout) and ``SELECT 1``.
    Nothing is created or migrated here (kernels do that).
    """
    if db_url:
        return _check_postgresql(db_url)
    if not data_dir.is_dir() or not os.access(data_dir, os.W_OK | os.X_OK):
        return False, f"data folder {data_dir} is missing or not writable"
    path = data_dir / DB_FILE
    if not path.exists():
        return True, "sqlite (not created yet)"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as error:
        return False, f"sqlite: {error}"
    return True, "sqlite"


def _check_postgresql(db_url: str) -> tuple[bool, str]:
    backend = urlsplit(db_url).scheme.split("+", 1)[0]
    if backend not in ("postgresql", "postgres"):
        return False, f"unsupported database URL scheme {backend!r}"
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(
        db_url, poolclass=NullPool, connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S}
    )
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        cause = error.orig if isinstance(error, sa.exc.DBAPIError) else None  # the driver's own error
        return False, f"postgresql: {type(cause or error).__name__}"
    finally:
        engine.dispose()
    return True, "postgresql"
