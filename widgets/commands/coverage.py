"""``neuguong coverage [--json] [--figures]``: lessons, questions and scenario nodes citing each
clause; with ``--figures`` also the course's overall figures (questions and their types, scenario
cases and their decisions, modules)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from widgets.content.course import load_course
from widgets.content.coverage import (
    clause_coverage,
    course_figures,
    coverage_table,
    figures_summary,
    level_coverage,
)
from widgets.content.problems import ContentError
from widgets.i18n import t


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("coverage", help=t("cli.coverage.help"))
    parser.add_argument("path", nargs="?", type=Path, help=t("cli.content_folder"))
    parser.add_argument(
        "--json",
        action="store_true",
        help=t("cli.coverage.json"),
    )
    parser.add_argument(
        "--figures",
        action="store_true",
        help=t("cli.coverage.totals"),
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        course = load_course(args.path)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    coverage = clause_coverage(course)
    # Without --figures the JSON object is keyed by clause ID alone (issue #2's contract).
    if args.json:
        report = {"clauses": coverage, **course_figures(course)} if args.figures else coverage
        print(json.dumps(report, ensure_ascii=False, indent=2))
    elif args.figures:
        table = coverage_table(coverage, level_coverage(course))
        print(table + "\n\n" + figures_summary(course_figures(course)))
    else:
        print(coverage_table(coverage, level_coverage(course)))
    return 0
