"""``neuguong new module``: a new module file, its ``course.yml`` entry and its notebook.

The module quotes the clauses it teaches (one ``lesson`` block each, the clause's exact wording)
and has an ``instructor`` block naming them, so the content checks at once. ``course.yml`` is
edited as text, its comments and layout kept: the entry is added at the end of ``modules:``.
"""

from __future__ import annotations

import dataclasses as dc
import json
import re
from collections.abc import Sequence
from pathlib import Path

import nbformat
import yaml

from widgets.content.course import COURSE_FILE, load_course
from widgets.content.directive import parse_directive
from widgets.content.fields import is_valid_id
from widgets.content.model import Clause
from widgets.content.problems import ContentError, ProblemLog
from widgets.i18n import t
from widgets.interop.naming import slugify
from widgets.notebooks import page_notebook, write_notebooks

DEFAULT_MINUTES = 10
_NUMBERED = re.compile(r"^(\d+)-")
_ID_LINE = re.compile(r"^id:\s*[\"']?([^\"'\s#]+)", re.MULTILINE)
_MODULES_KEY = re.compile(r"^modules:\s*(#.*)?$")


class ScaffoldError(Exception):
    """The module cannot be created as asked (the message says why)."""


@dc.dataclass(frozen=True, slots=True)
class NewModule:
    module_id: str
    path: Path
    """The module's Markdown file."""
    entry: str
    """Its ``file:`` value in ``course.yml``."""
    notebooks: tuple[Path, ...]
    """Notebooks written or rewritten."""
    content_valid: bool
    """Whether the whole content checked after the change (notebooks regenerated from it)."""


def new_module(
    content_dir: Path,
    title: str,
    clauses: Sequence[str],
    notebooks_dir: Path | None = None,
    *,
    module_id: str | None = None,
    teaching: int = DEFAULT_MINUTES,
    exercises: int = DEFAULT_MINUTES,
    extra_blocks: str = "",
) -> NewModule:
    """Write ``modules/NN-<id>.md``, add it to ``course.yml`` and (re)write the notebooks.

    ``extra_blocks`` (Markdown, e.g. imported questions) is appended to the module file.
    """
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError(t("scaffold.empty_title"))
    module_id = module_id or slugify(title)
    if not is_valid_id(module_id):
        raise ScaffoldError(t("scaffold.bad_id", module_id=module_id))
    course_file = content_dir / COURSE_FILE
    course_text = course_file.read_text(encoding="utf-8")
    data = yaml.safe_load(course_text) or {}
    entries = [e if isinstance(e, str) else str(e.get("file", "")) for e in data.get("modules") or []]
    if module_id in module_ids(content_dir, entries):
        raise ScaffoldError(t("scaffold.id_taken", module_id=module_id))
    quoted = _clauses(content_dir / str(data.get("directive", "directive.md")), clauses)

    folder = Path(entries[0]).parent if entries else Path("modules")
    entry = (folder / f"{_next_number(content_dir / folder):02d}-{module_id}.md").as_posix()
    path = content_dir / entry
    text = module_markdown(module_id, title, quoted, teaching, exercises)
    if extra_blocks.strip():
        text += "\n" + extra_blocks.strip() + "\n"
    new_course_text = add_module_entry(course_text, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    course_file.write_text(new_course_text, encoding="utf-8")
    written, valid = _notebooks(content_dir, notebooks_dir, path, module_id, title)
    return NewModule(module_id, path, entry, written, valid)


def module_markdown(
    module_id: str, title: str, clauses: Sequence[Clause], teaching: int, exercises: int
) -> str:
    """Front matter, one ``lesson`` block per clause (its exact wording), an ``instructor`` block."""
    ids = [clause.id for clause in clauses]
    front = [
        "---",
        f"id: {module_id}",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        "kind: lesson",
        f"clauses: [{', '.join(ids)}]",
        f"teaching: {teaching}",
        f"exercises: {exercises}",
    ]
    if clauses:
        summary = "; ".join(clause.label for clause in clauses)
        front.append(f"summary: {json.dumps(summary, ensure_ascii=False)}")
    blocks = ["\n".join([*front, "---"])]
    for clause in clauses:
        quote = "\n".join(f"> {line}" if line.strip() else ">" for line in clause.text.splitlines())
        blocks.append(t("scaffold.lesson_quote", clause=clause.id, label=clause.label, quote=quote))
    if not clauses:
        blocks.append(t("scaffold.lesson_blank", title=title))
    cited = ", ".join(f"`{clause_id}`" for clause_id in ids) or t("scaffold.none_yet")
    blocks.append(t("scaffold.instructor", cited=cited, teaching=teaching, exercises=exercises))
    return "\n\n".join(blocks) + "\n"


def add_module_entry(course_text: str, entry: str) -> str:
    """``course.yml`` with ``- file: <entry>`` added as the last item of ``modules:``, as text."""
    lines = course_text.splitlines()
    start = next((i for i, line in enumerate(lines) if _MODULES_KEY.match(line)), None)
    if start is None:
        raise ScaffoldError(t("scaffold.no_modules_list"))
    last, indent = start, "  "
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if line.strip() and not line[0].isspace() and not line.startswith(("-", "#")):
            break  # the next top-level key
        if line.strip() and not line.lstrip().startswith("#"):
            last = index
        if item := re.match(r"^(\s*)- ", line):
            indent = item.group(1)
    lines.insert(last + 1, f"{indent}- file: {entry}")
    text = "\n".join(lines) + "\n"
    modules = (yaml.safe_load(text) or {}).get("modules") or []
    if not any(isinstance(m, dict) and m.get("file") == entry for m in modules):
        raise ScaffoldError(t("scaffold.entry_not_added"))
    return text


def module_ids(content_dir: Path, entries: Sequence[str]) -> dict[str, Path]:
    """Module ID → file, read from the front matter of every listed module file."""
    ids = {}
    for entry in entries:
        path = content_dir / entry
        if path.is_file() and (match := _ID_LINE.search(path.read_text(encoding="utf-8"))):
            ids[match.group(1)] = path
    return ids


def _clauses(directive_path: Path, clause_ids: Sequence[str]) -> list[Clause]:
    log = ProblemLog(directive_path)
    directive = parse_directive(directive_path, log)
    if directive is None:
        raise ScaffoldError(
            t(
                "scaffold.directive_unreadable",
                directive_path=directive_path,
                problems="; ".join(map(str, log.problems)),
            )
        )
    unknown = [clause_id for clause_id in clause_ids if clause_id not in directive.clause_ids]
    if unknown:
        raise ScaffoldError(
            t(
                "scaffold.unknown_clauses",
                directive_path=directive_path.name,
                unknown=", ".join(unknown),
                known=", ".join(directive.clause_ids),
            )
        )
    return [directive.clause(clause_id) for clause_id in dict.fromkeys(clause_ids)]


def _next_number(folder: Path) -> int:
    numbers = [int(m.group(1)) for p in folder.glob("*.md") if (m := _NUMBERED.match(p.name))]
    return max(numbers, default=0) + 1


def _notebooks(
    content_dir: Path, folder: Path | None, path: Path, module_id: str, title: str
) -> tuple[tuple[Path, ...], bool]:
    """Regenerate every notebook from the course; if the content does not check yet, write only
    the new module's notebook (``neuguong notebooks`` rewrites the rest once it does)."""
    try:
        course = load_course(content_dir)
    except ContentError:
        if folder is None:
            return (), False
        folder.mkdir(parents=True, exist_ok=True)
        notebook = folder / path.with_suffix(".ipynb").name
        notebook.write_text(
            nbformat.writes(page_notebook(f'module_page("{module_id}")', title)) + "\n", encoding="utf-8"
        )
        return (notebook,), False
    if folder is None:
        return (), True
    folder.mkdir(parents=True, exist_ok=True)
    return tuple(write_notebooks(course, folder)), True
