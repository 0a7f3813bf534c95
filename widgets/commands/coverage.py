"""``neuguong coverage [--json]``: lessons, questions and scenario nodes citing each clause, and the
course's overall figures (questions and their types, scenario cases and their decisions, modules)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from widgets.content.course import load_course
from widgets.content.coverage import clause_coverage, course_figures, coverage_table, figures_summary
from widgets.content.problems import ContentError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("coverage", help="mức độ bao phủ từng điều khoản")
    parser.add_argument("path", nargs="?", type=Path, help="thư mục nội dung (mặc định: content/)")
    parser.add_argument(
        "--json", action="store_true", help="in JSON: số liệu theo mã điều khoản (clauses) và số liệu chung"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        course = load_course(args.path)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    coverage, figures = clause_coverage(course), course_figures(course)
    if args.json:
        print(json.dumps({"clauses": coverage, **figures}, ensure_ascii=False, indent=2))
    else:
        print(coverage_table(coverage) + "\n\n" + figures_summary(figures))
    return 0
