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
from widgets.i18n import t

IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "init",
        help=t("cli.init.help"),
        description=t("cli.init.description"),
    )
    parser.add_argument("folder", type=Path, metavar="DIR", help=t("cli.init.dir"))
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
    print(t("cli.init.done", target=target))
    print(t("cli.init.next"))
    print(f"  {setting}")
    print(t("cli.init.check"))
    print(t("cli.init.serve"))
    print(t("cli.init.serve_content", target=target))
    return 0
