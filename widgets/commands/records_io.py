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
from typing import Any

from widgets.records import certificates as certs
from widgets.records import db, signing
from widgets.records.errors import RecordsError
from widgets.records.interchange.merge import ImportReport, import_file
from widgets.records.interchange.xapi import HOME_PAGE_ENV, export_statements, iter_json_lines
from widgets.records.policy import COURSE_TZ
from widgets.records.store import open_store


def register(subparsers: Any) -> None:
    """Add ``records`` with ``export`` and ``import``."""
    records = subparsers.add_parser(
        "records",
        help="xuất/nhập hồ sơ học tập giữa các máy (xAPI, JSON lines)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = records.add_subparsers(dest="records_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="xuất hồ sơ từ một ngày trở đi, mỗi dòng một câu lệnh xAPI")
    export.add_argument("--since", type=_date, help="từ ngày (YYYY-MM-DD, giờ Việt Nam); mặc định: tất cả")
    export.add_argument("--with-names", action="store_true", help="kèm họ tên (và mã cán bộ) của người học")
    export.add_argument(
        "--home-page",
        metavar="URL",
        help=f"địa chỉ gốc của tài khoản và hoạt động (mặc định ${HOME_PAGE_ENV})",
    )
    export.add_argument("-o", "--output", type=Path, help="ghi ra tệp (quyền 0600) thay vì in ra")
    export.add_argument("--db", metavar="URL", help="URL cơ sở dữ liệu hồ sơ")
    export.set_defaults(func=run_export)
    load = actions.add_parser("import", help="nhập (gộp) các tệp .jsonl vào hồ sơ của máy này")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--db", metavar="URL", help="URL cơ sở dữ liệu hồ sơ")
    load.add_argument(
        "--pinned-only",
        action="store_true",
        help="chỉ nhận giấy chứng nhận ký bằng khoá đã ghim (records keys)",
    )
    load.set_defaults(func=run_import)
    keys = actions.add_parser("keys", help="các khoá ký giấy chứng nhận mà máy này tin cậy")
    keys.add_argument("--own", action="store_true", help="in khoá công khai của chính máy này")
    keys.add_argument("--trust", metavar="KEY", help="ghim khoá công khai (base64) của một máy kiosk")
    keys.add_argument("--label", default="", help="tên gọi của máy có khoá được ghim")
    keys.add_argument("--revoke", metavar="ID", help="thu hồi khoá (mã khoá 16 ký tự)")
    keys.add_argument("--db", metavar="URL", help="URL cơ sở dữ liệu hồ sơ")
    keys.set_defaults(func=run_keys)


def _date(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(), COURSE_TZ)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD)") from None


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
        statements = export_statements(
            store.engine,
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
    print(f"Đã xuất {len(statements)} câu lệnh.", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    failed = False
    for path in args.files:
        try:
            report = import_file(
                store.engine, path, secret=certs.load_secret(store.data), pinned_only=args.pinned_only
            )
        except OSError as error:
            print(f"{path}: không đọc được tệp ({error.strerror})", file=sys.stderr)
            failed = True
            continue
        print(summary(report))
        for key in report.new_keys:
            print(f"{path}: khoá ký mới được tin cậy từ lần nhập này: {key} (xem: records keys)")
        for line, message in report.errors:
            print(f"{path}:{line}: {message}", file=sys.stderr)
        failed = failed or bool(report.errors)
    return 1 if failed else 0


def run_keys(args: argparse.Namespace) -> int:
    store = open_store(args.db)
    now = store.clock()
    try:
        if args.own:
            key = signing.load_key(store.data)
            print(f"{key.id} {key.public_text}")
            return 0
        secret = certs.load_secret(store.data)
        if args.trust:
            label = args.label or "ghim bằng tay"
            kid, added = db.write(
                store.engine,
                lambda conn: signing.trust_key(
                    conn, secret, args.trust, origin=signing.PINNED, label=label, now=now
                ),
            )
            print(f"{kid}: {'đã ghim' if added else 'đã có từ trước'}")
            return 0
        if args.revoke:
            done = db.write(store.engine, lambda conn: signing.revoke_key(conn, args.revoke, now))
            print(f"{args.revoke}: {'đã thu hồi' if done else 'không có khoá đang dùng với mã này'}")
            return 0 if done else 1
        for trusted in db.read(store.engine, lambda conn: signing.trusted_keys(conn, secret)):
            state = (
                "THU HỒI"
                if trusted.revoked_at
                else ("tin cậy" if trusted.sealed else "KHÔNG có dấu của máy này")
            )
            since = f"{trusted.added_at:%Y-%m-%d}"
            print(f"{trusted.key_id}  {trusted.origin:<6}  {since}  {state}  {trusted.label}")
    except RecordsError as error:
        print(f"neuguong records keys: {error}", file=sys.stderr)
        return 2
    return 0


def summary(report: ImportReport) -> str:
    """One line per file: what was added, updated, already there, skipped."""
    added = ", ".join(f"{table} +{n}" for table, n in sorted(report.added.items()) if n) or "không có gì mới"
    updated = sum(report.updated.values())
    return (
        f"{report.source}: {report.statements} câu lệnh — thêm: {added}; cập nhật {updated}; "
        f"đã có sẵn {report.unchanged}; bỏ qua {len(report.errors)} dòng lỗi."
    )
