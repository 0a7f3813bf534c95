"""``neuguong gift export|import``, ``neuguong import-jupyterquiz`` and ``neuguong new module``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from widgets.commands.notebooks import DEFAULT_FOLDER
from widgets.content.course import COURSE_FILE, default_content_dir, load_course
from widgets.content.model import ModuleKind
from widgets.content.problems import ContentError
from widgets.i18n import t
from widgets.interop.gift_export import export_gift
from widgets.interop.gift_parse import parse_gift
from widgets.interop.imported import ImportResult
from widgets.interop.jupyterquiz import parse_jupyterquiz
from widgets.interop.markdown_writer import question_blocks
from widgets.interop.naming import ids_in_content
from widgets.scaffold import ScaffoldError, module_ids, new_module

Parser = Callable[[str, str, set[str]], ImportResult]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gift = subparsers.add_parser("gift", help=t("cli.gift.help"))
    actions = gift.add_subparsers(dest="gift_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help=t("cli.gift.export.help"))
    export.add_argument("--module", help=t("cli.gift.export.module"))
    export.add_argument("--content", type=Path, help=t("cli.content_folder"))
    export.set_defaults(func=run_export)
    gift_import = actions.add_parser("import", help=t("cli.gift.import.help"))
    _import_arguments(gift_import)
    gift_import.set_defaults(func=lambda args: run_import(args, parse_gift))

    quiz = subparsers.add_parser("import-jupyterquiz", help=t("cli.jupyterquiz.help"))
    _import_arguments(quiz)
    quiz.set_defaults(func=lambda args: run_import(args, parse_jupyterquiz))

    new = subparsers.add_parser("new", help=t("cli.new.help"))
    things = new.add_subparsers(dest="new_command", required=True, metavar="WHAT")
    module = things.add_parser("module", help=t("cli.new.module.help"))
    module.add_argument("title", help=t("cli.new.module.title"))
    module.add_argument("--clauses", required=True, help=t("cli.new.module.clauses"))
    module.add_argument("--id", dest="module_id", help=t("cli.new.module.id"))
    module.add_argument("--teaching", type=int, default=10, help=t("cli.new.module.teaching"))
    module.add_argument("--exercises", type=int, default=10, help=t("cli.new.module.exercises"))
    _content_arguments(module)
    module.set_defaults(func=run_new_module)


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help=t("cli.import.file"))
    parser.add_argument("--module", required=True, help=t("cli.import.module"))
    parser.add_argument("--title", help=t("cli.import.title"))
    _content_arguments(parser)


def _content_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, help=t("cli.content_folder"))
    parser.add_argument("--notebooks", type=Path, default=DEFAULT_FOLDER, help=t("cli.notebooks_folder"))


def run_export(args: argparse.Namespace) -> int:
    try:
        course = load_course(args.content)
    except ContentError as error:
        print(error, file=sys.stderr)
        return 1
    modules = None
    if args.module:
        try:
            modules = [course.module(args.module)]
        except KeyError:
            known = ", ".join(m.id for m in course.modules)
            print(t("cli.gift.export.no_module", module=args.module, known=known), file=sys.stderr)
            return 2
    result = export_gift(course, modules)
    sys.stdout.write(result.text)
    for question_id, reason in result.skipped:
        print(t("cli.gift.export.skipped", question_id=question_id, reason=reason), file=sys.stderr)
    for question_id, lost in result.notes:
        print(t("cli.gift.export.lost", question_id=question_id, lost=lost), file=sys.stderr)
    print(
        t("cli.gift.export.done", exported=len(result.exported), skipped=len(result.skipped)), file=sys.stderr
    )
    return 0


def run_import(args: argparse.Namespace, parse: Parser) -> int:
    content = Path(args.content or default_content_dir())
    try:
        source = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(t("cli.import.unreadable", file=args.file, error=error), file=sys.stderr)
        return 2
    entries = _module_entries(content)
    taken = ids_in_content([*(content / e for e in entries), *(content / "modules").glob("*.md")])
    try:
        result = parse(source, str(args.file), taken)
    except ValueError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    for notice in result.refused:
        print(notice)
    for notice in result.notes:
        print(t("cli.import.note", where=notice.where, message=notice.message))
    if not result.questions:
        print(t("cli.import.nothing", refused=len(result.refused)))
        return 1
    blocks = question_blocks(result.questions)
    existing = module_ids(content, entries).get(args.module)
    try:
        if existing is not None:
            _append(existing, blocks)
            target = existing
        else:
            created = new_module(
                content,
                args.title or args.module,
                (),
                args.notebooks,
                module_id=args.module,
                extra_blocks=blocks,
            )
            target = created.path
    except ScaffoldError as error:
        print(error, file=sys.stderr)
        return 2
    if result.categories:
        print(t("cli.import.categories", categories=", ".join(result.categories)))
    print(
        t(
            "cli.import.done",
            imported=len(result.questions),
            target=target,
            module=args.module,
            refused=len(result.refused),
            notes=len(result.notes),
        )
    )
    print(t("cli.import.needs_cites"))
    return 0


def run_new_module(args: argparse.Namespace) -> int:
    content = Path(args.content or default_content_dir())
    clauses = [part for part in args.clauses.replace(",", " ").split() if part]
    try:
        created = new_module(
            content,
            args.title,
            clauses,
            args.notebooks,
            module_id=args.module_id,
            teaching=args.teaching,
            exercises=args.exercises,
        )
    except ScaffoldError as error:
        print(error, file=sys.stderr)
        return 2
    print(t("cli.new.module.done", path=created.path, module_id=created.module_id, entry=created.entry))
    for notebook in created.notebooks:
        print(f"notebook: {notebook}")
    if not created.content_valid:
        print(t("cli.content_invalid"), file=sys.stderr)
        return 1
    course = load_course(content)
    order = [m.id for m in course.modules]
    for module in course.modules:
        if module.kind is ModuleKind.ASSESSMENT and order.index(module.id) < order.index(created.module_id):
            print(t("cli.new.module.after_assessment", module=module.id, entry=created.entry))
    return 0


def _module_entries(content: Path) -> list[str]:
    try:
        data = yaml.safe_load((content / COURSE_FILE).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    entries = data.get("modules") or [] if isinstance(data, dict) else []
    return [e if isinstance(e, str) else str(e.get("file", "")) for e in entries if isinstance(e, str | dict)]


def _append(path: Path, blocks: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\n" + blocks, encoding="utf-8")
