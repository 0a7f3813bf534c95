"""``neuguong check [PATH]``: validate the content, one ``file:line: message`` per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from widgets.content.course import check_course, default_content_dir


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help="kiểm tra nội dung trong content/")
    parser.add_argument("path", nargs="?", type=Path, help="thư mục nội dung (mặc định: content/)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problems = check_course(args.path or default_content_dir())
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} lỗi.", file=sys.stderr)
        return 1
    print("Nội dung hợp lệ.", file=sys.stderr)
    return 0
