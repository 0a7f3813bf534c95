"""``neuguong records export|import``: move records between machines as xAPI JSON lines.

``records export --since DATE [--with-names] [--home-page URL] [-o FILE]`` writes every
attempt, answer, scenario choice and certificate made since DATE (local midnight,
Asia/Ho_Chi_Minh) as one xAPI-shaped statement per line; learners travel as pseudonymous
accounts unless ``--with-names``. ``records import FILE…`` merges files into this store:
importing a file twice changes nothing, overlapping files merge without duplicates, and a
malformed line is reported with its number and skipped. Exit status: 0, or 1 when some line
was skipped (everything else is imported). A kiosk's certificates keep their signatures; its
key is trusted on first import, or, with ``--pinned-only``, only if pinned beforehand.

``records keys`` lists the certificate-signing keys this installation trusts; ``--own`` prints
this installation's public key (run it on a kiosk at set-up), ``--trust KEY --label NAME``
pins a kiosk's key on the trainer's installation, ``--revoke ID`` withdraws one (a lost
kiosk). See :mod:`widgets.records.signing`.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime, time
from pathlib import Path

from widgets.i18n import t
from widgets.records import signing
from widgets.records.errors import RecordsError
from widgets.records.interchange.export import iter_json_lines
from widgets.records.interchange.merge import ImportReport
from widgets.records.interchange.xapi import HOME_PAGE_ENV
from widgets.records.policy import COURSE_TZ
from widgets.records.store import open_store


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``records`` with ``export`` and ``import``."""
    records = subparsers.add_parser(
        "records",
        help=t("cli.records.help"),
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = records.add_subparsers(dest="records_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help=t("cli.records.export.help"))
    export.add_argument("--since", type=_date, help=t("cli.records.export.since"))
    export.add_argument("--with-names", action="store_true", help=t("cli.records.export.names"))
    export.add_argument(
        "--home-page",
        metavar="URL",
        help=t("cli.records.export.home_page", variable=HOME_PAGE_ENV),
    )
    export.add_argument("-o", "--output", type=Path, help=t("cli.records.export.output"))
    export.add_argument("--db", metavar="URL", help=t("cli.database_url"))
    export.set_defaults(func=run_export)
    load = actions.add_parser("import", help=t("cli.records.import.help"))
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--db", metavar="URL", help=t("cli.database_url"))
    load.add_argument(
        "--pinned-only",
        action="store_true",
        help=t("cli.records.import.pinned_only"),
    )
    load.set_defaults(func=run_import)
    keys = actions.add_parser("keys", help=t("cli.records.keys.help"))
    keys.add_argument("--own", action="store_true", help=t("cli.records.keys.own"))
    keys.add_argument("--trust", metavar="KEY", help=t("cli.records.keys.trust"))
    keys.add_argument("--label", default="", help=t("cli.records.keys.label"))
    keys.add_argument("--revoke", metavar="ID", help=t("cli.records.keys.revoke"))
    keys.add_argument("--db", metavar="URL", help=t("cli.database_url"))
    keys.set_defaults(func=run_keys)


def _date(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(), COURSE_TZ)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.records.bad_day", text=text)) from None


def _course_id() -> str:
    try:
        from widgets.content.course import load_course

        return load_course().id
    except Exception:  # the records move without the content if need be
        return "course"


def run_export(args: argparse.Namespace) -> int:
    try:
        store = open_store(args.db)
        store.sign_issued_certificates()  # older ones too travel signed
        statements = store.export_statements(
            since=args.since,
            home=args.home_page,
            with_names=args.with_names,
            course_id=_course_id(),
        )
    except (RecordsError, ValueError) as error:
        print(f"neuguong records export: {error}", file=sys.stderr)
        return 2
    if args.output is None:
        sys.stdout.writelines(iter_json_lines(statements))
    else:
        fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(iter_json_lines(statements))
    print(t("cli.records.exported", count=len(statements)), file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    failed = False
    for path in args.files:
        try:
            report = store.import_file(path, pinned_only=args.pinned_only)
        except OSError as error:
            print(t("cli.records.import.unreadable", path=path, strerror=error.strerror), file=sys.stderr)
            failed = True
            continue
        print(summary(report))
        for key in report.new_keys:
            print(t("cli.records.import.new_key", path=path, kid=key))
        for line, message in report.errors:
            print(f"{path}:{line}: {message}", file=sys.stderr)
        failed = failed or bool(report.errors)
    return 1 if failed else 0


def run_keys(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    try:
        if args.own:
            key = signing.load_key(store.data)
            print(f"{key.id} {key.public_text}")
            return 0
        if args.trust:
            label = args.label or t("cli.records.keys.by_hand")
            kid, added = store.trust_key(args.trust, origin=signing.PINNED, label=label)
            print(f"{kid}: {t('cli.records.keys.pinned') if added else t('cli.records.keys.already')}")
            return 0
        if args.revoke:
            done = store.revoke_key(args.revoke)
            print(
                f"{args.revoke}: {t('cli.records.keys.revoked') if done else t('cli.records.keys.no_such')}"
            )
            return 0 if done else 1
        for trusted in store.trusted_keys():
            state = (
                t("cli.records.keys.state.revoked")
                if trusted.revoked_at
                else (
                    t("cli.records.keys.state.trusted")
                    if trusted.sealed
                    else t("cli.records.keys.state.unsealed")
                )
            )
            since = f"{trusted.added_at:%Y-%m-%d}"
            print(f"{trusted.key_id}  {trusted.origin:<6}  {since}  {state}  {trusted.label}")
    except RecordsError as error:
        print(f"neuguong records keys: {error}", file=sys.stderr)
        return 2
    return 0


def summary(report: ImportReport) -> str:
    """One line per file: what was added, updated, already there, skipped."""
    added = ", ".join(f"{table} +{n}" for table, n in sorted(report.added.items()) if n) or t(
        "cli.records.import.nothing_new"
    )
    updated = sum(report.updated.values())
    return t(
        "cli.records.import.summary",
        source=report.source,
        statements=report.statements,
        added=added,
        updated=updated,
        unchanged=report.unchanged,
        errors=len(report.errors),
    )
