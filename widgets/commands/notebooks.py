"""``neuguong notebooks``: write (or ``--check``) the learner notebooks from ``content/``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from widgets import resources
from widgets.content.course import load_course
from widgets.content.problems import ContentError
from widgets.i18n import t
from widgets.notebooks import stale_notebooks, write_notebooks

DEFAULT_FOLDER = resources.notebooks_dir("learner")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("notebooks", help=t("cli.notebooks.help"))
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help=t("cli.notebooks_folder"))
    parser.add_argument("--content", type=Path, help=t("cli.content_folder"))
    parser.add_argument("--check", action="store_true", help=t("cli.notebooks.check"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        course = load_course(args.content)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    if args.check:
        stale = stale_notebooks(course, args.folder)
        for name in stale:
            print(t("cli.notebooks.stale", path=args.folder / name))
        return 1 if stale else 0
    args.folder.mkdir(parents=True, exist_ok=True)
    for path in write_notebooks(course, args.folder):
        print(path)
    return 0
