"""``neuguong records export|import``: move records between machines as xAPI JSON lines.

``records export --since DATE [--with-names] [--home-page URL] [-o FILE]`` writes every
attempt, answer, scenario choice and certificate made since DATE (local midnight,
Asia/Ho_Chi_Minh) as one xAPI-shaped statement per line; learners travel as pseudonymous
accounts unless ``--with-names``. ``records import FILE…`` merges files into this store:
importing a file twice changes nothing, overlapping files merge without duplicates, and a
malformed line is reported with its number and skipped. Exit status: 0, or 1 when some line
was skipped (everything else is imported).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from widgets.records.errors import RecordsError
from widgets.records.policy import COURSE_TZ
from widgets.records.store import open_store
from widgets.reports.merge import ImportReport, import_file
from widgets.reports.xapi import HOME_PAGE_ENV, export_statements, iter_json_lines


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
    load.set_defaults(func=run_import)


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
        statements = export_statements(
            open_store(args.db).engine,
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
            report = import_file(store.engine, path)
        except OSError as error:
            print(f"{path}: không đọc được tệp ({error.strerror})", file=sys.stderr)
            failed = True
            continue
        print(summary(report))
        for line, message in report.errors:
            print(f"{path}:{line}: {message}", file=sys.stderr)
        failed = failed or bool(report.errors)
    return 1 if failed else 0


def summary(report: ImportReport) -> str:
    """One line per file: what was added, updated, already there, skipped."""
    added = ", ".join(f"{table} +{n}" for table, n in sorted(report.added.items()) if n) or "không có gì mới"
    updated = sum(report.updated.values())
    return (
        f"{report.source}: {report.statements} câu lệnh — thêm: {added}; cập nhật {updated}; "
        f"đã có sẵn {report.unchanged}; bỏ qua {len(report.errors)} dòng lỗi."
    )
