"""``neuguong init DIR``: copy the course into a folder an installer can edit.

The installed kit carries the course read-only (inside the package); ``init`` copies it
(``course.yml``, the directive, modules, glossary, FAQ, units and the directive's source) to
``DIR``. ``NEUGUONG_CONTENT=DIR`` (or ``neuguong serve --content DIR``) then points the kit at
the copy; ``neuguong check`` validates it with ``file:line`` messages.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from widgets import resources

IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init",
        help="chép nội dung khóa học ra một thư mục để chỉnh sửa",
        description="Chép nội dung khóa học đi kèm bộ học liệu vào DIR (thư mục mới hoặc rỗng). "
        "Sau đó đặt NEUGUONG_CONTENT=DIR (hoặc dùng `neuguong serve --content DIR`).",
    )
    parser.add_argument("folder", type=Path, metavar="DIR", help="thư mục đích (mới hoặc rỗng)")
    parser.set_defaults(func=run)


def copy_course(target: Path) -> Path:
    """Copy the bundled course into ``target`` (created; must be new or empty); return it resolved."""
    target = target.expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(f"{target} already exists and is not an empty folder")
    shutil.copytree(resources.bundled_content_dir(), target, ignore=IGNORED, dirs_exist_ok=True)
    for path in [target, *target.rglob("*")]:  # the installed copy may be read-only
        path.chmod(path.stat().st_mode | 0o200)
    return target


def run(args: argparse.Namespace) -> int:
    try:
        target = copy_course(args.folder)
    except FileExistsError as error:
        print(f"neuguong init: {error}", file=sys.stderr)
        return 2
    windows = sys.platform == "win32"
    setting = (
        f"set {resources.CONTENT_ENV}={target}" if windows else f"export {resources.CONTENT_ENV}='{target}'"
    )
    print(f"Đã chép nội dung khóa học vào {target}")
    print("Sửa các tệp ở đó (xem README.md trong thư mục), rồi dùng bản đã sửa:")
    print(f"  {setting}")
    print("  neuguong check      # kiểm tra nội dung, báo lỗi theo tệp:dòng")
    print("  neuguong serve      # chạy trang học với nội dung này")
    print(f"(hoặc: neuguong serve --content {target})")
    return 0
