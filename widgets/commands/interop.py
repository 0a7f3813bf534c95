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
from widgets.interop.gift_export import export_gift
from widgets.interop.gift_parse import parse_gift
from widgets.interop.imported import ImportResult
from widgets.interop.jupyterquiz import parse_jupyterquiz
from widgets.interop.markdown_writer import question_blocks
from widgets.interop.naming import ids_in_content
from widgets.scaffold import ScaffoldError, module_ids, new_module

Parser = Callable[[str, str, set[str]], ImportResult]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gift = subparsers.add_parser("gift", help="xuất/nhập ngân hàng câu hỏi Moodle GIFT")
    actions = gift.add_subparsers(dest="gift_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="xuất câu hỏi ra GIFT (in ra stdout)")
    export.add_argument("--module", help="chỉ xuất học phần có mã này")
    export.add_argument("--content", type=Path, help="thư mục nội dung (mặc định: content/)")
    export.set_defaults(func=run_export)
    gift_import = actions.add_parser("import", help="nhập câu hỏi từ tệp GIFT vào một học phần")
    _import_arguments(gift_import)
    gift_import.set_defaults(func=lambda args: run_import(args, parse_gift))

    quiz = subparsers.add_parser("import-jupyterquiz", help="nhập câu hỏi từ tệp JSON của jupyterquiz")
    _import_arguments(quiz)
    quiz.set_defaults(func=lambda args: run_import(args, parse_jupyterquiz))

    new = subparsers.add_parser("new", help="tạo khung nội dung mới")
    things = new.add_subparsers(dest="new_command", required=True, metavar="WHAT")
    module = things.add_parser("module", help="tạo học phần mới: tệp, mục trong course.yml, notebook")
    module.add_argument("title", help='tên học phần, ví dụ "Người đứng đầu nêu gương"')
    module.add_argument("--clauses", required=True, help="mã điều khoản, cách nhau bởi dấu phẩy")
    module.add_argument("--id", dest="module_id", help="mã học phần (mặc định: từ tên học phần)")
    module.add_argument("--teaching", type=int, default=10, help="số phút học (mặc định 10)")
    module.add_argument("--exercises", type=int, default=10, help="số phút bài tập (mặc định 10)")
    _content_arguments(module)
    module.set_defaults(func=run_new_module)


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="tệp cần nhập")
    parser.add_argument("--module", required=True, help="mã học phần nhận câu hỏi (tạo mới nếu chưa có)")
    parser.add_argument("--title", help="tên học phần khi tạo mới (mặc định: mã học phần)")
    _content_arguments(parser)


def _content_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, help="thư mục nội dung (mặc định: content/)")
    parser.add_argument(
        "--notebooks", type=Path, default=DEFAULT_FOLDER, help="thư mục notebook của học viên"
    )


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
            print(f"không có học phần '{args.module}' (có: {known})", file=sys.stderr)
            return 2
    result = export_gift(course, modules)
    sys.stdout.write(result.text)
    for question_id, reason in result.skipped:
        print(f"bỏ qua {question_id}: {reason}", file=sys.stderr)
    for question_id, lost in result.notes:
        print(f"ghi chú {question_id}: GIFT không giữ được {lost}", file=sys.stderr)
    print(f"Đã xuất {len(result.exported)} câu hỏi; bỏ qua {len(result.skipped)}.", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace, parse: Parser) -> int:
    content = Path(args.content or default_content_dir())
    try:
        source = args.file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"{args.file}: không đọc được tệp: {error}", file=sys.stderr)
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
        print(f"{notice.where}: ghi chú: {notice.message}")
    if not result.questions:
        print(f"Không có câu hỏi nào nhập được; từ chối {len(result.refused)}.")
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
        print(f"Danh mục GIFT: {', '.join(result.categories)}")
    print(
        f"Đã nhập {len(result.questions)} câu hỏi vào {target} (học phần {args.module});"
        f" từ chối {len(result.refused)}; {len(result.notes)} ghi chú."
    )
    print("Câu hỏi nhập vào chưa có 'cites': chạy `neuguong check` và ghi mã điều khoản cho từng câu.")
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
    print(f"Đã tạo {created.path} (học phần {created.module_id}) và thêm '{created.entry}' vào course.yml.")
    for notebook in created.notebooks:
        print(f"notebook: {notebook}")
    if not created.content_valid:
        print("Nội dung chưa hợp lệ: chạy `neuguong check`.", file=sys.stderr)
        return 1
    course = load_course(content)
    order = [m.id for m in course.modules]
    for module in course.modules:
        if module.kind is ModuleKind.ASSESSMENT and order.index(module.id) < order.index(created.module_id):
            print(
                f"Lưu ý: học phần mới đứng sau học phần kiểm tra '{module.id}'; chuyển dòng"
                f" '- file: {created.entry}' lên trước nó trong course.yml nếu cần."
            )
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
