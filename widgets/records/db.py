"""Engines and transactions: one code path for SQLite and PostgreSQL.

One engine per database URL and process, created on first use and cached. SQLite is set up
on every new connection for many concurrent writers: WAL journal, a 30 s busy timeout,
foreign keys on, ``synchronous=FULL`` (a committed answer survives a power cut), memory-mapped
reads, and SQLAlchemy (not the driver) issues ``BEGIN`` — ``BEGIN IMMEDIATE`` for writes, so
that a writer waits for the lock up front instead of failing on a stale snapshot. On
PostgreSQL a read runs at ``REPEATABLE READ``: all its statements see one snapshot.

:func:`write` and :func:`read` run a function in one transaction and retry it on transient
failures (locked database, serialisation failure, dropped connection); callers make writes
idempotent (UUID keys, ``INSERT … ON CONFLICT DO NOTHING``) so a retry is harmless.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url

from widgets.i18n import t
from widgets.records.errors import RecordsError, StoreBusyError

T = TypeVar("T")
log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
MMAP_BYTES = 2**31
"""The most of the SQLite file read memory-mapped: all of a store up to 2 GiB (SQLite's own
ceiling by default). Address space only; the pages touched are the OS page cache's."""
WRITE_TRIES = 6
PG_POOL_SIZE = 1
"""PostgreSQL connections each process (each page's kernel) keeps open."""
PG_MAX_OVERFLOW = 1
"""Extra PostgreSQL connections a process may open for a moment beyond :data:`PG_POOL_SIZE`."""
POOL_SIZE_ENV = "NEUGUONG_DB_POOL_SIZE"
MAX_OVERFLOW_ENV = "NEUGUONG_DB_MAX_OVERFLOW"
_WRITE_OPTION = "neuguong_write"

_engines: dict[str, Engine] = {}
_engines_pid = os.getpid()
_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """The process's engine for ``url`` (created once; recreated in a forked child)."""
    global _engines_pid
    with _lock:
        if os.getpid() != _engines_pid:
            for inherited in _engines.values():
                inherited.dispose(close=False)  # the parent's connections are not ours
            _engines.clear()
            _engines_pid = os.getpid()
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = create_engine(url)
        return engine


def dispose_engines() -> None:
    """Close and forget every cached engine (tests, and before a process exits)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def create_engine(url: str) -> Engine:
    """A new engine for ``url``; prefer :func:`get_engine`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise RecordsError(t("records.db.sqlite_memory"))
        Path(parsed.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # No pre-ping (a round trip per call): a dropped connection fails the call, which
        # _run retries on a fresh connection. Every page's kernel has its own engine, so the
        # pool is small (1 kept + 1 extra: the kernel's thread and a live refresh); 100
        # kernels then hold 100-200 server connections, not 1,000.
        return sa.create_engine(
            parsed,
            pool_size=_env_int(POOL_SIZE_ENV, PG_POOL_SIZE),
            max_overflow=_env_int(MAX_OVERFLOW_ENV, PG_MAX_OVERFLOW),
            connect_args=pg_connect_args(parsed.get_driver_name()),
        )
    raise RecordsError(t("records.db.unsupported", backend=parsed.get_backend_name()))


def pg_connect_args(driver: str) -> dict[str, object]:
    """Driver arguments for PostgreSQL: psycopg 3 never prepares statements server-side.

    psycopg prepares a query after 5 runs by default; behind PgBouncer in transaction mode
    the next transaction may reach another server connection, where that prepared statement
    does not exist (``prepared statement "_pg3_0" does not exist``). ``None`` turns it off.
    """
    return {"prepare_threshold": None} if driver == "psycopg" else {}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise RecordsError(t("records.db.not_integer", name=name, value=value)) from None
    if number < 0:
        raise RecordsError(t("records.db.negative", name=name, number=number))
    return number


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_on_begin)
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        for _ in range(50):  # switching to WAL needs a moment alone with the file
            if cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
                break
            time.sleep(0.1)
        else:
            raise StoreBusyError(t("records.db.no_wal"))
        cursor.execute("PRAGMA synchronous = FULL")
        # Reads through the OS page cache instead of copying pages: the trainer's reports
        # over a large store run about 20 % faster; only pages touched count against memory.
        # The whole file: a 10,000-learner store is about 650 MB, and with only its first
        # 256 MB mapped the dashboard still made some 26,000 reads of a page each (its
        # indexes lie all through the file), about 13 % of its time. Only reads use the map
        # (writes go to the WAL as before), so a larger map changes nothing for writers.
        cursor.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def write(engine: Engine, fn: Callable[[Connection], T]) -> T:
    """Run ``fn`` in one write transaction, retrying transient failures; return its result."""
    return _run(engine, fn, write=True)


def read(engine: Engine, fn: Callable[[Connection], T]) -> T:
    """Run ``fn`` in one read transaction (retried, like writes, on transient failures)."""
    return _run(engine, fn, write=False)


def _run(engine: Engine, fn: Callable[[Connection], T], *, write: bool) -> T:
    for attempt in range(1, WRITE_TRIES + 1):
        try:
            with engine.connect() as conn:
                if write:
                    conn.execution_options(**{_WRITE_OPTION: True})
                elif conn.dialect.name == "postgresql":
                    # One snapshot for all the statements of a read (a report's sections agree);
                    # a read-only transaction is never refused at this level.
                    conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    return fn(conn)
        except sa.exc.DBAPIError as exc:
            if not _transient(exc):
                raise
            if attempt == WRITE_TRIES:
                raise StoreBusyError(t("records.db.busy")) from exc
            log.warning("records: transient failure (try %d), retrying: %s", attempt, exc)
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


def _transient(exc: sa.exc.DBAPIError) -> bool:
    if exc.connection_invalidated:
        return True
    text = str(exc.orig).lower()
    if "database is locked" in text or "database is busy" in text:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate in {"40001", "40P01", "55P03", "57P01", "08000", "08003", "08006"}


def insert_ignore(conn: Connection, table: sa.Table, values: Mapping[str, object]) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING``; whether a row was inserted.

    Uses ``RETURNING`` (psycopg reports ``rowcount`` -1 for this statement on PostgreSQL).
    """
    return conn.execute(_insert_ignore(conn.dialect.name, table), dict(values)).first() is not None


@functools.cache
def _insert_ignore(dialect_name: str, table: sa.Table) -> sa.Insert:
    """The statement, built once per table (the values come as parameters).

    The dialect module is imported here, not at the top: a learner's kernel only ever needs
    one of them (the PostgreSQL one costs about 60 ms and 2 MB per kernel).
    """
    if dialect_name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing().returning(*table.primary_key.columns)
