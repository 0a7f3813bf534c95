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
from typing import Any

from widgets.records import config
from widgets.records.backup import backup, migrate, restore
from widgets.records.errors import RecordsError


def register(subparsers: Any) -> None:
    """Add ``backup`` and ``restore``."""
    save = subparsers.add_parser(
        "backup",
        help="sao lưu kho hồ sơ khi trang học vẫn chạy (SQLite hoặc pg_dump)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    save.add_argument(
        "dest", metavar="DEST", type=Path, help="tệp đích, hoặc một thư mục (tên tệp theo ngày giờ)"
    )
    save.add_argument("--db", metavar="URL", help="URL cơ sở dữ liệu hồ sơ")
    save.add_argument("--force", action="store_true", help="ghi đè nếu tệp đích đã có")
    save.set_defaults(func=run_backup)

    load = subparsers.add_parser(
        "restore",
        help="phục hồi kho hồ sơ từ một bản sao lưu (dừng trang học trước)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load.add_argument("src", metavar="SRC", type=Path, help="tệp sao lưu do `neuguong backup` tạo")
    load.add_argument("--db", metavar="URL", help="URL cơ sở dữ liệu hồ sơ đích")
    load.add_argument(
        "--force",
        action="store_true",
        help="ghi đè kho đã có dữ liệu (sau khi lưu một bản sao an toàn của nó)",
    )
    load.add_argument("--safety-dir", type=Path, help="thư mục cho bản sao an toàn (mặc định: cạnh tệp SRC)")
    load.set_defaults(func=run_restore)

    upgrade = subparsers.add_parser(
        "migrate",
        help="nâng lược đồ kho hồ sơ lên phiên bản hiện tại (tự chạy khi trang học mở kho)",
        description="Nâng lược đồ kho hồ sơ lên phiên bản của bộ học liệu đã cài. Trang học tự "
        "làm việc này lần đầu mở kho; chạy tay khi nâng cấp để thấy lỗi trước khi khởi động.",
    )
    upgrade.add_argument("--db", metavar="URL", help="URL cơ sở dữ liệu hồ sơ")
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
        print(
            f"neuguong backup: không ghi được tệp sao lưu: {exc.strerror} ({exc.filename}).", file=sys.stderr
        )
        return 1
    answers = "" if done.answers is None else f"{done.answers} câu trả lời, "
    print(
        f"Đã sao lưu kho hồ sơ {done.backend} vào {done.path} "
        f"({answers}{_size(done.size)}, {done.seconds:.2f} giây)."
    )
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    try:
        before, after = migrate(_url(args))
    except RecordsError as exc:
        print(f"neuguong migrate: {exc}", file=sys.stderr)
        return 1
    if before == after:
        print(f"Kho hồ sơ đã ở phiên bản lược đồ {after}; không có gì để nâng.")
    else:
        print(f"Đã nâng kho hồ sơ từ phiên bản lược đồ {before} lên {after}.")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    try:
        done = restore(_url(args), args.src, force=args.force, safety_dir=args.safety_dir)
    except RecordsError as exc:
        print(f"neuguong restore: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"neuguong restore: lỗi đọc/ghi tệp: {exc.strerror} ({exc.filename}).", file=sys.stderr)
        return 1
    if done.safety_copy is not None:
        print(f"Bản sao an toàn của kho cũ: {done.safety_copy}")
    print(
        f"Đã phục hồi {done.learners} người học, {done.answers} câu trả lời từ {args.src} "
        f"(lược đồ phiên bản {done.schema_version}, {done.seconds:.2f} giây)."
    )
    return 0


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"
