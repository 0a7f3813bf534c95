"""``neuguong check [PATH]``: validate the content, one ``file:line: message`` per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from widgets.content.course import check_course, default_content_dir
from widgets.i18n import t


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help=t("cli.check.help"))
    parser.add_argument("path", nargs="?", type=Path, help=t("cli.content_folder"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    problems = check_course(args.path or default_content_dir())
    for problem in problems:
        print(problem)
    if problems:
        print(t("cli.check.errors", count=len(problems)), file=sys.stderr)
        return 1
    print(t("cli.check.valid"), file=sys.stderr)
    return 0
