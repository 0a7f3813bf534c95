"""Backups of a live records store, and restoring one, that cannot tear.

* SQLite: SQLite's online backup API copies every page of the store in one step while
  holding a read snapshot, so kernels keep writing (WAL) and the copy is the store as it was
  at one moment. The copy is checked (``PRAGMA integrity_check``), switched to a single
  self-contained file (``journal_mode=DELETE``) and moved into place atomically.
* PostgreSQL: ``pg_dump`` in its custom format (one consistent snapshot), restored with
  ``pg_restore --clean --if-exists --single-transaction``. ``pg_dump`` is found through
  ``$NEUGUONG_PG_BIN``, ``PATH`` or ``/usr/lib/postgresql/*/bin`` (the newest).

:func:`restore` refuses a file that is not a kit store (no ``schema_version`` or kit
tables), a store newer than this code, and a target that already holds records unless
``force``; with ``force`` a safety copy of the target is made first. After restoring, the
schema is migrated to the current version.
"""

from __future__ import annotations

import dataclasses as dc
import os
import re
import shutil
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from widgets.i18n import t
from widgets.records import db, migrations, schema, timelines
from widgets.records.errors import RecordsError, SchemaTooNewError
from widgets.records.store import open_store

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
KIT_TABLES = ("schema_version", "learners", "attempts", "answers")
"""Tables every kit store has had since its first schema version."""
PG_BIN_ENV = "NEUGUONG_PG_BIN"
SUFFIX = {"sqlite": ".sqlite", "postgresql": ".pgdump"}


class BackupError(RecordsError):
    """A backup or restore could not be made."""


class NotAStoreError(BackupError):
    """The file to restore is not a backup of a kit records store."""


class TargetNotEmptyError(BackupError):
    """The store to restore into already holds records (and ``force`` was not given)."""


@dc.dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    backend: str
    seconds: float
    size: int
    answers: int | None
    """Answers in the copy (SQLite: counted in the copy; PostgreSQL: not counted)."""


@dc.dataclass(frozen=True, slots=True)
class RestoreResult:
    backend: str
    seconds: float
    learners: int
    answers: int
    schema_version: int
    safety_copy: Path | None


# ---------------------------------------------------------------------------------- backup


def backup(url: str, dest: Path | str, *, overwrite: bool = False) -> BackupResult:
    """Copy the live store at ``url`` to ``dest`` (a file, or a folder for a dated name)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUFFIX:
        raise BackupError(t("records.backup.backend", backend=backend))
    path = _destination(Path(dest), backend)
    if path.exists() and not overwrite:
        raise BackupError(t("records.backup.exists", path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    start = time.perf_counter()
    try:
        if backend == "sqlite":
            answers = _sqlite_backup(_sqlite_path(parsed), partial)
        else:
            answers = None
            _pg_dump(parsed, partial)
        _fsync(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path, backend, time.perf_counter() - start, path.stat().st_size, answers)


def _destination(dest: Path, backend: str) -> Path:
    if dest.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return dest / f"neuguong-{stamp}{SUFFIX[backend]}"
    return dest


def _sqlite_path(parsed: URL) -> Path:
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError(t("records.backup.sqlite_file"))
    return Path(parsed.database)


def _sqlite_backup(source: Path, partial: Path) -> int:
    if not source.is_file():
        raise BackupError(t("records.backup.no_sqlite", source=source))
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(source, timeout=db.BUSY_TIMEOUT_S)  # read only; WAL needs the -shm
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # every page in one step, under one read snapshot
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(t("records.backup.integrity"))
        _check_tables(_sqlite_tables(dst), partial)
        return int(dst.execute("SELECT count(*) FROM answers").fetchone()[0])
    finally:
        dst.close()
        src.close()


def _pg_dump(parsed: URL, partial: Path) -> None:
    conninfo, env = _libpq(parsed)
    argv = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
    schema = _search_path(parsed)
    if schema:
        argv.append(f"--schema={schema}")
    _run([*argv, f"--dbname={conninfo}"], env)
    partial.chmod(0o600)
    _check_tables(_archive_tables(partial), partial)


# --------------------------------------------------------------------------------- restore


def restore(
    url: str,
    src: Path | str,
    *,
    force: bool = False,
    safety_dir: Path | None = None,
    data: Path | None = None,
) -> RestoreResult:
    """Replace the store at ``url`` by the backup ``src``; migrate it to the current version.

    Refuses a file that is not a kit store, and a target holding records unless ``force``
    (then a copy of the target is first saved in ``safety_dir``, default: beside ``src``).
    ``data`` is the installation's data folder (its identity secret re-keys learners when an
    old backup is migrated; default: :func:`config.data_dir`).
    """
    src = Path(src)
    kind = backup_kind(src)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if kind != backend:
        raise BackupError(
            t(
                "records.backup.kind_mismatch",
                src=src,
                kind=_KIND_NAME[kind],
                backend=_KIND_NAME.get(backend, backend),
            )
        )
    if kind == "sqlite":
        _check_sqlite_backup(src)
    else:
        _check_tables(_archive_tables(src), src)
    held = _records_held(url)
    safety: Path | None = None
    if held:
        if not force:
            raise TargetNotEmptyError(t("records.backup.target_not_empty", held=held))
        folder = safety_dir or src.resolve().parent
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        name = f"truoc-khi-phuc-hoi-{stamp}"
        n = 1
        while (folder / f"{name}{SUFFIX[backend]}").exists():
            n += 1
            name = f"truoc-khi-phuc-hoi-{stamp}-{n}"
        safety = backup(url, folder / f"{name}{SUFFIX[backend]}").path
    db.dispose_engines()  # no pooled connection may outlive the old file or tables
    start = time.perf_counter()
    if kind == "sqlite":
        _sqlite_restore(src, _sqlite_path(parsed))
    else:
        conninfo, env = _libpq(parsed)
        _run(
            [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(src)],
            env,
        )  # fmt: skip
    engine = open_store(url, data=data).engine  # migrates (with the identity secret if needed)
    timelines.refresh_stale(engine)  # timelines the backup kept under other content
    version = db.read(engine, migrations.current_version)
    counts = db.read(
        engine,
        lambda conn: (
            conn.execute(sa.text("SELECT count(*) FROM learners")).scalar_one(),
            conn.execute(sa.text("SELECT count(*) FROM answers")).scalar_one(),
        ),
    )
    return RestoreResult(backend, time.perf_counter() - start, counts[0], counts[1], version, safety)


_KIND_NAME = {"sqlite": "SQLite", "postgresql": "PostgreSQL (pg_dump)"}


def backup_kind(path: Path) -> str:
    """``sqlite`` or ``postgresql`` from the file's first bytes; else :class:`NotAStoreError`."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise NotAStoreError(t("records.backup.unreadable", path=path, strerror=exc.strerror)) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise NotAStoreError(t("records.backup.not_backup", path=path))


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(path, timeout=db.BUSY_TIMEOUT_S)
        try:
            tables = _sqlite_tables(conn)
            _check_tables(tables, path)
            version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotAStoreError(t("records.backup.not_sqlite", path=path, exc=exc)) from None
    if version > migrations.CURRENT_VERSION:
        raise SchemaTooNewError(
            t("records.backup.newer", path=path, version=version, current=migrations.CURRENT_VERSION)
        )


def _sqlite_tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _check_tables(tables: set[str], path: Path) -> None:
    missing = [name for name in KIT_TABLES if name not in tables]
    if missing:
        raise NotAStoreError(t("records.backup.missing_tables", path=path, tables=", ".join(missing)))


def _archive_tables(path: Path) -> set[str]:
    """Table names in a pg_dump custom archive (``pg_restore --list``)."""
    listing = _run([pg_tool("pg_restore"), "--list", str(path)], dict(os.environ), error=NotAStoreError)
    tables = set()
    for line in listing.splitlines():
        match = re.match(r"^\d+;\s*\d+\s+\d+\s+TABLE\s+(\S+)\s+(\S+)\s", line)
        if match:
            tables.add(match.group(2))
    return tables


def _records_held(url: str) -> str:
    """What the target holds, in words (empty when it has no tables or no rows)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if not path.exists() or path.stat().st_size == 0:
            return ""
    engine = db.get_engine(url)

    def count(conn: sa.Connection) -> str:
        tables = set(sa.inspect(conn).get_table_names())
        if not tables:
            return ""
        kit = set(schema.metadata.tables) - {"schema_version"}
        other = sorted(tables - kit - {"schema_version"})
        learners = answers = rows = 0
        for name in sorted(tables & kit):
            n = conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            rows += n
            learners += n if name == "learners" else 0
            answers += n if name == "answers" else 0
        if other:
            return t("records.backup.foreign_tables", tables=", ".join(other))
        if rows:
            return t("records.backup.held", learners=learners, answers=answers)
        return ""

    return db.read(engine, count)


def _sqlite_restore(src: Path, target: Path) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    source = sqlite3.connect(src, timeout=db.BUSY_TIMEOUT_S)
    dest = sqlite3.connect(target, timeout=db.BUSY_TIMEOUT_S)
    try:
        source.backup(dest)  # replaces every page of the target, through its own journal
        dest.execute("PRAGMA journal_mode = WAL")
    finally:
        dest.close()
        source.close()
    target.chmod(0o600)


# ----------------------------------------------------------------------- PostgreSQL tools


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: ``$NEUGUONG_PG_BIN``, ``PATH``, else the
    newest ``/usr/lib/postgresql/<version>/bin``."""
    folder = os.environ.get(PG_BIN_ENV, "").strip()
    if folder:
        candidate = Path(folder) / name
        if os.access(candidate, os.X_OK):
            return str(candidate)
        raise BackupError(t("records.backup.tool_missing_in", name=name, folder=folder, variable=PG_BIN_ENV))
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(re.sub(r"\D", "", p.parts[-3]) or 0),
    )
    if versions:
        return str(versions[-1])
    raise BackupError(t("records.backup.tool_missing", name=name, variable=PG_BIN_ENV))


def _libpq(parsed: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI (no password) for the store's URL, and the environment with PGPASSWORD."""
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    query = {k: v for k, v in parsed.query.items() if k != "options"}
    plain = parsed.set(drivername="postgresql", password=None, query=query)
    return plain.render_as_string(hide_password=False), env


def _search_path(parsed: URL) -> str | None:
    """The schema named by ``options=-csearch_path=<schema>`` in the URL, if any."""
    options = parsed.query.get("options")
    text = " ".join(options) if isinstance(options, tuple) else (options or "")
    match = re.search(r"search_path\s*=\s*([A-Za-z0-9_]+)", unquote(text))
    return match.group(1) if match else None


def _run(argv: list[str], env: dict[str, str], *, error: type[BackupError] = BackupError) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise error(
            t(
                "records.backup.tool_failed",
                name=Path(argv[0]).name,
                returncode=done.returncode,
                detail=done.stderr.strip()[-800:],
            )
        )
    return done.stdout


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def migrate(url: str, data: Path | None = None) -> tuple[int, int]:
    """Bring the store at ``url`` to the current schema now; (version before, version after).

    What every process does on its first use of the store (:func:`open_store`), run by hand
    during an upgrade so that a failing migration shows before the site starts.
    """
    engine = db.get_engine(url)
    before = db.read(engine, migrations.current_version)
    try:
        migrated = open_store(url, data=data).engine
        timelines.refresh_stale(migrated)  # the course may be new too: timelines under it
        after = db.read(migrated, migrations.current_version)
    except sa.exc.SQLAlchemyError as exc:
        now = db.read(engine, migrations.current_version)
        raise BackupError(
            t("records.backup.upgrade_failed", now=now, detail=str(exc).splitlines()[0])
        ) from exc
    return before, after
