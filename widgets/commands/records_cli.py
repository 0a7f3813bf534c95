"""``neuguong learner export|delete``, ``neuguong verify CODE`` and ``neuguong kiosk-setup
export|import``: records on the command line.

``kiosk-setup export -o FILE`` writes what an offline kiosk of this installation needs to agree
with it on every learner's ID (the identity secret, JSON, mode 0600); ``kiosk-setup import FILE``
on the kiosk installs it (before the kiosk's first learner, or with ``--force``).

A learner is chosen by ``--id``, ``--code`` (mã cán bộ) or ``--name`` with ``--unit``. The
database is the configured one (``NEUGUONG_DB_URL`` or ``<data>/records.sqlite``) unless
``--db`` names another; the certificate secret is read from the data folder
(``NEUGUONG_DATA``). Exit status: 0 done (or code valid), 1 not found (or code invalid).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from widgets.i18n import t
from widgets.records.errors import RecordsError
from widgets.records.models import Learner
from widgets.records.store import Store, open_store

CONFIRM_WORD = "xoa"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``learner`` (with ``export`` and ``delete``) and ``verify``."""
    learner = subparsers.add_parser("learner", help=t("cli.learner.help"), description=__doc__)
    actions = learner.add_subparsers(dest="learner_command", required=True, metavar="ACTION")

    export = actions.add_parser("export", help=t("cli.learner.export.help"))
    _add_selector(export)
    export.add_argument("-o", "--output", type=Path, help=t("cli.learner.export.output"))
    export.set_defaults(func=run_export)

    delete = actions.add_parser("delete", help=t("cli.learner.delete.help"))
    _add_selector(delete)
    delete.add_argument("--yes", action="store_true", help=t("cli.learner.delete.yes"))
    delete.set_defaults(func=run_delete)

    verify = subparsers.add_parser("verify", help=t("cli.verify.help"))
    verify.add_argument("code", metavar="CODE", help=t("cli.verify.code"))
    verify.add_argument("--db", metavar="URL", help=t("cli.database_url"))
    verify.set_defaults(func=run_verify)

    setup = subparsers.add_parser("kiosk-setup", help=t("cli.kiosk_setup.help"))
    steps = setup.add_subparsers(dest="setup_command", required=True, metavar="ACTION")
    out = steps.add_parser("export", help=t("cli.kiosk_setup.export.help"))
    out.add_argument("-o", "--output", type=Path, required=True, help=t("cli.json_file"))
    out.set_defaults(func=run_setup_export)
    into = steps.add_parser("import", help=t("cli.kiosk_setup.import.help"))
    into.add_argument("file", type=Path, help=t("cli.kiosk_setup.import.file"))
    into.add_argument("--force", action="store_true", help=t("cli.kiosk_setup.import.force"))
    into.set_defaults(func=run_setup_import)


def _add_selector(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id", dest="learner_id", help=t("cli.learner.id"))
    parser.add_argument("--code", dest="staff_code", help=t("cli.learner.code"))
    parser.add_argument("--name", help=t("cli.learner.name"))
    parser.add_argument("--unit", help=t("cli.learner.unit"))
    parser.add_argument("--db", metavar="URL", help=t("cli.database_url"))


def run_export(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    learner = _select(store, args)
    if learner is None:
        return 1
    text = json.dumps(store.export_learner(learner.id), ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    print(t("cli.learner.exported", full_name=learner.full_name, output=args.output), file=sys.stderr)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    learner = _select(store, args)
    if learner is None:
        return 1
    who = t("cli.learner.who", full_name=learner.full_name, unit=learner.unit, learner=learner.id)
    if not args.yes:
        if not sys.stdin.isatty():
            print(t("cli.learner.delete.needs_yes", who=who), file=sys.stderr)
            return 1
        answer = input(t("cli.learner.delete.confirm", who=who, word=CONFIRM_WORD))
        if answer.strip().lower() != CONFIRM_WORD:
            print(t("cli.learner.delete.cancelled"), file=sys.stderr)
            return 1
    counts = store.delete_learner(learner.id)
    rows = ", ".join(f"{table}: {n}" for table, n in counts.items() if n)
    print(t("cli.learner.deleted", who=who, rows=rows))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    try:
        result = open_store(args.db).verify_certificate(args.code)
    except RecordsError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(result.message)
    return 0 if result.valid else 1


def _select(store: Store, args: argparse.Namespace) -> Learner | None:
    """The one learner the options name; prints why not and returns ``None`` otherwise."""
    try:
        if args.learner_id:
            found = [learner] if (learner := store.get_learner(args.learner_id)) else []
        else:
            found = store.find_learners(staff_code=args.staff_code, name=args.name, unit=args.unit)
    except RecordsError as exc:
        print(t("cli.learner.find_hint", message=exc.message), file=sys.stderr)
        return None
    if len(found) == 1:
        return found[0]
    if not found:
        print(t("cli.learner.none"), file=sys.stderr)
        return None
    print(t("cli.learner.many"), file=sys.stderr)
    for learner in found:
        code = t("cli.learner.staff_code", staff_code=learner.staff_code) if learner.staff_code else ""
        print(f"  {learner.id}  {learner.full_name} ({learner.unit}{code})", file=sys.stderr)
    return None


SETUP_FORMAT = "neuguong-kiosk-setup"


def run_setup_export(args: argparse.Namespace) -> int:
    """Write the installation's identity secret for its kiosks (JSON, mode 0600)."""
    from widgets.records import config, identity

    secret = identity.load_secret(config.data_dir())
    text = json.dumps({"format": SETUP_FORMAT, "format_version": 1, "identity_secret": secret.hex()}) + "\n"
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    print(t("cli.kiosk_setup.exported", output=args.output), file=sys.stderr)
    return 0


def run_setup_import(args: argparse.Namespace) -> int:
    """Install a kiosk set-up's identity secret in this machine's data folder."""
    from widgets.records import config, identity

    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
        secret = bytes.fromhex(data["identity_secret"])
        if data.get("format") != SETUP_FORMAT or len(secret) < 16:
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        print(t("cli.kiosk_setup.not_export", file=args.file), file=sys.stderr)
        return 1
    folder = config.data_dir()
    try:
        current = identity.load_secret(folder, create=False)
    except FileNotFoundError:
        current = None
    if current is not None and current != secret and not args.force:
        print(
            t("cli.kiosk_setup.other_key"),
            file=sys.stderr,
        )
        return 1
    identity.write_secret(folder, secret, replace=True)
    print(t("cli.kiosk_setup.installed", path=identity.secret_path(folder)), file=sys.stderr)
    return 0
