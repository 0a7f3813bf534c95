"""``neuguong backup DEST``, ``neuguong restore SRC``, ``neuguong migrate``: the records store.

The store is the configured one (``NEUGUONG_DB_URL``, else ``<data>/records.sqlite``) unless
``--db`` names another. A backup of a live store is safe (SQLite's online backup API,
``pg_dump`` for PostgreSQL). Restore the kit's backups only, with the site stopped; a target
that already holds records is overwritten only with ``--force``, after a safety copy.
Exit status: 0 done, 1 refused or failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from widgets.i18n import t
from widgets.records import config
from widgets.records.backup import backup, migrate, restore
from widgets.records.errors import RecordsError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``backup`` and ``restore``."""
    save = subparsers.add_parser(
        "backup",
        help=t("cli.backup.help"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    save.add_argument("dest", metavar="DEST", type=Path, help=t("cli.backup.dest"))
    save.add_argument("--db", metavar="URL", help=t("cli.database_url"))
    save.add_argument("--force", action="store_true", help=t("cli.backup.force"))
    save.set_defaults(func=run_backup)

    load = subparsers.add_parser(
        "restore",
        help=t("cli.restore.help"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("src", metavar="SRC", type=Path, help=t("cli.restore.src"))
    load.add_argument("--db", metavar="URL", help=t("cli.restore.database_url"))
    load.add_argument(
        "--force",
        action="store_true",
        help=t("cli.restore.force"),
    )
    load.add_argument("--safety-dir", type=Path, help=t("cli.restore.safety_dir"))
    load.set_defaults(func=run_restore)

    upgrade = subparsers.add_parser(
        "migrate",
        help=t("cli.migrate.help"),
        description=t("cli.migrate.description"),
    )
    upgrade.add_argument("--db", metavar="URL", help=t("cli.database_url"))
    upgrade.set_defaults(func=run_migrate)


def _url(args: argparse.Namespace) -> str:
    return args.db or config.database_url()


def run_backup(args: argparse.Namespace) -> int:
    try:
        done = backup(_url(args), args.dest, overwrite=args.force)
    except RecordsError as exc:
        print(f"neuguong backup: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(t("cli.backup.write_failed", strerror=exc.strerror, filename=exc.filename), file=sys.stderr)
        return 1
    answers = "" if done.answers is None else t("cli.backup.answers", answers=done.answers)
    print(
        t(
            "cli.backup.done",
            backend=done.backend,
            path=done.path,
            answers=answers,
            size=_size(done.size),
            seconds=done.seconds,
        )
    )
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    try:
        before, after = migrate(_url(args))
    except RecordsError as exc:
        print(f"neuguong migrate: {exc}", file=sys.stderr)
        return 1
    if before == after:
        print(t("cli.migrate.current", after=after))
    else:
        print(t("cli.migrate.done", before=before, after=after))
    return 0


def run_restore(args: argparse.Namespace) -> int:
    try:
        done = restore(_url(args), args.src, force=args.force, safety_dir=args.safety_dir)
    except RecordsError as exc:
        print(f"neuguong restore: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(t("cli.restore.io_error", strerror=exc.strerror, filename=exc.filename), file=sys.stderr)
        return 1
    if done.safety_copy is not None:
        print(t("cli.restore.safety_copy", safety_copy=done.safety_copy))
    print(
        t(
            "cli.restore.done",
            learners=done.learners,
            answers=done.answers,
            src=args.src,
            schema_version=done.schema_version,
            seconds=done.seconds,
        )
    )
    return 0


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
