"""``neuguong coverage [--json]``: lessons, questions and scenario nodes citing each clause."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from widgets.content.course import load_course
from widgets.content.coverage import clause_coverage, coverage_table
from widgets.content.problems import ContentError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("coverage", help="mức độ bao phủ từng điều khoản")
    parser.add_argument("path", nargs="?", type=Path, help="thư mục nội dung (mặc định: content/)")
    parser.add_argument("--json", action="store_true", help="in JSON theo mã điều khoản")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        course = load_course(args.path)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    coverage = clause_coverage(course)
    print(json.dumps(coverage, ensure_ascii=False, indent=2) if args.json else coverage_table(coverage))
    return 0
