"""The ``neuguong`` command line: one sub-command per module of ``widgets.commands``."""

from __future__ import annotations

import argparse
import importlib
import sys

from widgets import __version__
from widgets.i18n import t

COMMAND_MODULES = (
    "widgets.commands.backup",
    "widgets.commands.check",
    "widgets.commands.coverage",
    "widgets.commands.init",
    "widgets.commands.interop",
    "widgets.commands.notebooks",
    "widgets.commands.records_cli",
    "widgets.commands.records_io",
    "widgets.commands.serve",
)
"""Each module defines ``register(subparsers)``, which adds its sub-command(s) and sets
``func(args) -> int`` as the handler."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neuguong",
        description=t("cli.description"),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
