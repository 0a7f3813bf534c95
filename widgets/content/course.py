"""``course.yml`` and everything it names → one validated ``Course``, parsed once per change."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from widgets.content.cache import read_cached, write_cached
from widgets.content.directive import parse_directive
from widgets.content.documents import read_text, read_yaml
from widgets.content.model import Course, Module, ModuleKind, QuizPolicy, SourceRef
from widgets.content.module import parse_module
from widgets.content.problems import ContentError, Problem, ProblemLog
from widgets.content.reference import parse_faq, parse_glossary

COURSE_FILE = "course.yml"
COURSE_KEYS = ("id", "title", "directive", "glossary", "faq", "units", "modules")
ENTRY_KEYS = ("file", "notebook", "quiz")
QUIZ_KEYS = ("pass_mark", "tries", "draw", "by_clause", "shuffle")


def default_content_dir() -> Path:
    """``$NEUGUONG_CONTENT``, else the ``content/`` folder of this checkout."""
    configured = os.environ.get("NEUGUONG_CONTENT")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "content"


def check_course(content_dir: Path | None = None) -> list[Problem]:
    """Every problem in the content (an empty list when it is valid)."""
    problems: list[Problem] = []
    _parse_course(Path(content_dir or default_content_dir()), problems)
    return sorted(problems)


def load_course(content_dir: Path | None = None) -> Course:
    """The parsed course; raises ``ContentError`` listing every problem. Cached until a file changes."""
    root = Path(content_dir or default_content_dir()).resolve()
    return _load_cached(root, _fingerprint(root))


@functools.lru_cache(maxsize=8)
def _load_cached(root: Path, fingerprint: tuple[tuple[str, int, int], ...]) -> Course:
    if (course := read_cached(root, fingerprint)) is not None:
        return course
    problems: list[Problem] = []
    course = _parse_course(root, problems)
    if problems or course is None:
        raise ContentError(problems or [Problem(str(root), 0, "không đọc được khóa học")])
    write_cached(root, fingerprint, course)
    return course


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def _parse_course(root: Path, problems: list[Problem]) -> Course | None:
    path = root / COURSE_FILE
    log = ProblemLog(path, problems)
    text = read_text(path, log)
    data = read_yaml(text, log) if text is not None else None
    if not isinstance(data, dict):
        if text is not None and data is not None:
            log.add(1, "course.yml phải là các cặp 'khóa: giá trị'")
        return None
    _unknown_keys(data, COURSE_KEYS, "course.yml", 1, log)
    directive = parse_directive(
        root / str(data.get("directive", "directive.md")),
        log.for_file(root / str(data.get("directive", "directive.md"))),
    )
    if directive is None:
        return None
    known = directive.clause_ids
    modules = _modules(root, data.get("modules"), known, text or "", log)
    glossary = (
        parse_glossary(root / data["glossary"], known, log.for_file(root / data["glossary"]))
        if data.get("glossary")
        else ()
    )
    faq = parse_faq(root / data["faq"], known, log.for_file(root / data["faq"])) if data.get("faq") else ()
    units = _units(root / data["units"], log) if data.get("units") else ()
    _check_unique_ids(modules, log)
    for key in ("id", "title"):
        if not str(data.get(key, "")).strip():
            log.add(1, f"course.yml thiếu '{key}'")
    return Course(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        directive=directive,
        modules=tuple(modules),
        source=SourceRef(log.path, 1),
        glossary=glossary,
        faq=faq,
        units=units,
    )


def _modules(root: Path, entries: Any, known: tuple[str, ...], text: str, log: ProblemLog) -> list[Module]:
    if not isinstance(entries, list) or not entries:
        log.add(1, "course.yml cần danh sách 'modules'")
        return []
    modules = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"file": entry}
        file_name = str(entry.get("file", "")) if isinstance(entry, dict) else ""
        line = _line_mentioning(text, file_name)
        if not file_name:
            log.add(line, "mỗi mục của 'modules' cần 'file'")
            continue
        _unknown_keys(entry, ENTRY_KEYS, "mục module", line, log)
        module_path = root / file_name
        if not module_path.is_file():
            log.add(line, f"học phần '{file_name}' có trong course.yml nhưng không có tệp")
            continue
        quiz = _quiz_policy(entry.get("quiz") or {}, line, log)
        notebook = str(entry.get("notebook") or Path(file_name).with_suffix(".ipynb").name)
        module = parse_module(module_path, known, quiz, notebook, log.for_file(module_path))
        if module is not None:
            modules.append(module)
    return modules


def _quiz_policy(raw: Any, line: int, log: ProblemLog) -> QuizPolicy:
    if not isinstance(raw, dict):
        log.add(line, "'quiz' phải là các cặp 'khóa: giá trị'")
        return QuizPolicy()
    _unknown_keys(raw, QUIZ_KEYS, "quiz", line, log)
    policy = QuizPolicy()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "pass_mark" and not (isinstance(value, int) and 0 < value <= 100):
            log.add(line, f"pass_mark phải là phần trăm từ 1 đến 100, không phải {value!r}")
        elif key in {"tries", "draw"} and not (value is None or (isinstance(value, int) and value > 0)):
            log.add(line, f"{key} phải là số nguyên dương hoặc null, không phải {value!r}")
        elif key in {"by_clause", "shuffle"} and not isinstance(value, bool):
            log.add(line, f"{key} phải là true hoặc false, không phải {value!r}")
        elif key in QUIZ_KEYS:
            values[key] = value
    return QuizPolicy(**{**{k: getattr(policy, k) for k in QUIZ_KEYS}, **values})


def _units(path: Path, log: ProblemLog) -> tuple[str, ...]:
    unit_log = log.for_file(path)
    text = read_text(path, unit_log)
    data = read_yaml(text, unit_log) if text is not None else None
    units = data.get("units") if isinstance(data, dict) else None
    if not isinstance(units, list) or not all(isinstance(u, str) and u.strip() for u in units):
        unit_log.add(1, "units.yml cần 'units:' là danh sách tên đơn vị")
        return ()
    return tuple(u.strip() for u in units)


def _check_unique_ids(modules: list[Module], log: ProblemLog) -> None:
    seen_modules: dict[str, SourceRef] = {}
    seen_ids: dict[str, SourceRef] = {}
    for module in modules:
        if module.id in seen_modules:
            _add_at(log, module.source, f"mã học phần '{module.id}' đã dùng ở {seen_modules[module.id]}")
        seen_modules[module.id] = module.source
        items = [*module.questions, *module.scenarios]
        for item in items:
            if item.id in seen_ids:
                _add_at(log, item.source, f"mã '{item.id}' đã dùng ở {seen_ids[item.id]}")
            seen_ids[item.id] = item.source
    kinds = [m for m in modules if m.kind is ModuleKind.ASSESSMENT]
    if len(kinds) > 1:
        _add_at(log, kinds[1].source, "khóa học chỉ có một học phần kind: assessment")


def _add_at(log: ProblemLog, where: SourceRef, message: str) -> None:
    log.problems.append(Problem(where.path, where.line, message))


def _unknown_keys(
    data: dict[str, Any], allowed: tuple[str, ...], what: str, line: int, log: ProblemLog
) -> None:
    for key in data:
        if key not in allowed:
            log.add(line, f"{what} có khóa lạ '{key}' (dùng: {', '.join(allowed)})")


def _line_mentioning(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle and needle in line:
            return number
    return 1
