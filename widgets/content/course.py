"""``course.yml`` and everything it names → one validated ``Course``, parsed once per change."""

from __future__ import annotations

import dataclasses as dc
import functools
from collections.abc import Mapping
from pathlib import Path

from widgets import resources
from widgets.content.cache import read_cached, write_cached
from widgets.content.directive import parse_directive
from widgets.content.documents import read_text, read_yaml
from widgets.content.model import Course, Module, ModuleKind, Question, QuizPolicy, Scenario, SourceRef, Unit
from widgets.content.module import parse_module
from widgets.content.pool import final_pool
from widgets.content.problems import ContentError, Problem, ProblemLog
from widgets.content.reference import parse_faq, parse_glossary
from widgets.content.rules import course_rules
from widgets.i18n import t

COURSE_FILE = "course.yml"
COURSE_KEYS = ("id", "title", "directive", "glossary", "faq", "units", "modules")
ENTRY_KEYS = ("file", "notebook", "quiz")
QUIZ_KEYS = (
    "pass_mark",
    "tries",
    "draw",
    "by_clause",
    "shuffle",
    "partial_credit",
    "scenarios",
    "min_application",
)
UNITS_KEYS = ("as_of", "note", "units")
UNIT_KEYS = ("name", "successor", "retired", "typed")


def default_content_dir() -> Path:
    """``$NEUGUONG_CONTENT``, else the course that ships with the kit: ``content/`` of this
    checkout, or its copy in the installed wheel (:mod:`widgets.resources`)."""
    return resources.content_dir()


def check_course(content_dir: Path | None = None) -> list[Problem]:
    """Every problem in the content (an empty list when it is valid): what stops it loading,
    then, once it loads, the course-wide rules (``widgets.content.rules``)."""
    problems: list[Problem] = []
    root = Path(content_dir or default_content_dir())
    course = _parse_course(root, problems)
    if course is not None and not problems:
        problems += course_rules(course, root)
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
        raise ContentError(problems or [Problem(str(root), 0, t("check.course_unreadable"))])
    write_cached(root, fingerprint, course)
    return course


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def _parse_course(root: Path, problems: list[Problem]) -> Course | None:
    path = root / COURSE_FILE
    log = ProblemLog(path, problems)
    text = read_text(path, log)
    reported = len(problems)
    data = read_yaml(text, log) if text is not None else None
    if not isinstance(data, dict):
        if text is not None and len(problems) == reported:  # empty, or YAML that is not a mapping
            log.add(1, t("check.course_yml_not_mapping"))
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
    units, as_of = _units(root / data["units"], log) if data.get("units") else ((), "")
    _check_unique_ids(modules, log)
    for key in ("id", "title"):
        if not str(data.get(key, "")).strip():
            log.add(1, t("check.course_yml_missing", field=key))
    course = Course(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        directive=directive,
        modules=tuple(modules),
        source=SourceRef(log.path, 1),
        glossary=glossary,
        faq=faq,
        units=tuple(u.name for u in units if not u.retired),
        unit_entries=units,
        units_as_of=as_of,
    )
    return _with_final_pool(course)


def _with_final_pool(course: Course) -> Course:
    """The assessment's quiz policy gets the pool it draws from (see ``widgets.content.pool``)."""
    modules = tuple(
        dc.replace(m, quiz=dc.replace(m.quiz, pool=final_pool(course)))
        if m.kind is ModuleKind.ASSESSMENT
        else m
        for m in course.modules
    )
    return dc.replace(course, modules=modules)


def _modules(root: Path, entries: object, known: tuple[str, ...], text: str, log: ProblemLog) -> list[Module]:
    if not isinstance(entries, list) or not entries:
        log.add(1, t("check.course_yml_needs_modules"))
        return []
    modules = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"file": entry}
        file_name = str(entry.get("file", "")) if isinstance(entry, dict) else ""
        line = _line_mentioning(text, file_name)
        if not file_name:
            log.add(line, t("check.modules_entry_needs_file"))
            continue
        _unknown_keys(entry, ENTRY_KEYS, t("check.what.module_entry"), line, log)
        module_path = root / file_name
        if not module_path.is_file():
            log.add(line, t("check.module_file_missing", file_name=file_name))
            continue
        quiz = _quiz_policy(entry.get("quiz") or {}, line, log)
        notebook = str(entry.get("notebook") or Path(file_name).with_suffix(".ipynb").name)
        module = parse_module(module_path, known, quiz, notebook, log.for_file(module_path))
        if module is not None:
            modules.append(module)
    return modules


def _quiz_policy(raw: object, line: int, log: ProblemLog) -> QuizPolicy:
    if not isinstance(raw, dict):
        log.add(line, t("check.quiz_not_mapping"))
        return QuizPolicy()
    _unknown_keys(raw, QUIZ_KEYS, "quiz", line, log)
    numbers: dict[str, int] = {}
    limits: dict[str, int | None] = {}
    flags: dict[str, bool] = {}
    for key, value in raw.items():
        if key == "pass_mark" and not (isinstance(value, int) and 0 < value <= 100):
            log.add(line, t("check.pass_mark_range", value=value))
        elif key in {"tries", "draw"} and not (value is None or (isinstance(value, int) and value > 0)):
            log.add(line, t("check.positive_or_null", field=key, value=value))
        elif key == "scenarios" and not (
            isinstance(value, int) and not isinstance(value, bool) and value >= 0
        ):
            log.add(line, t("check.scenarios_not_negative", value=value))
        elif key == "min_application" and not (
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100
        ):
            log.add(line, t("check.min_application_range", value=value))
        elif key in {"by_clause", "shuffle", "partial_credit"} and not isinstance(value, bool):
            log.add(line, t("check.quiz_flag_boolean", field=key, value=value))
        elif key in {"tries", "draw"}:
            limits[key] = value
        elif key in {"by_clause", "shuffle", "partial_credit"}:
            flags[key] = value
        elif key in QUIZ_KEYS:
            numbers[key] = value
    default = QuizPolicy()
    return QuizPolicy(
        pass_mark=numbers.get("pass_mark", default.pass_mark),
        tries=limits.get("tries", default.tries),
        draw=limits.get("draw", default.draw),
        by_clause=flags.get("by_clause", default.by_clause),
        shuffle=flags.get("shuffle", default.shuffle),
        partial_credit=flags.get("partial_credit", default.partial_credit),
        scenarios=numbers.get("scenarios", default.scenarios),
        min_application=numbers.get("min_application", default.min_application),
    )


def _units(path: Path, log: ProblemLog) -> tuple[tuple[Unit, ...], str]:
    """``units.yml``: ``as_of``, ``note`` and ``units`` (names, or ``{name, successor, retired,
    typed}``); no duplicates, no empty names, every successor a current unit of the list."""
    unit_log = log.for_file(path)
    text = read_text(path, unit_log)
    data = read_yaml(text, unit_log) if text is not None else None
    raw = data.get("units") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(raw, list) or not raw:
        unit_log.add(1, t("check.units_yml_needs_list"))
        return (), ""
    _unknown_keys(data, UNITS_KEYS, "units.yml", 1, unit_log)
    source = text or ""
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        fields = {"name": entry} if isinstance(entry, str) else entry
        if not isinstance(fields, dict):
            unit_log.add(_unit_line(source, index, ""), t("check.unit_entry_shape"))
            continue
        name = " ".join(str(fields.get("name") or "").split())
        line = _unit_line(source, index, name)
        _unknown_keys(fields, UNIT_KEYS, t("check.what.unit"), line, unit_log)
        if not name:
            unit_log.add(line, t("check.unit_needs_name"))
            continue
        key = name.casefold()
        if key in seen:
            unit_log.add(line, t("check.unit_duplicate", name=name, line=seen[key]))
            continue
        seen[key] = line
        flags = {}
        for flag in ("retired", "typed"):
            value = fields.get(flag, False)
            if not isinstance(value, bool):
                unit_log.add(line, t("check.unit_flag_boolean", flag=flag, value=value))
            flags[flag] = value is True
        successor = " ".join(str(fields.get("successor") or "").split())
        if successor and not flags["retired"]:
            unit_log.add(line, t("check.unit_active_successor", name=name))
        units.append(Unit(name, SourceRef(unit_log.path, line), successor, **flags))
    current = {u.name.casefold() for u in units if not u.retired}
    for unit in units:
        if unit.successor and unit.successor.casefold() not in current:
            unit_log.add(
                unit.source.line,
                t("check.unit_successor_unknown", successor=unit.successor, unit=unit.name),
            )
    if not current:
        unit_log.add(1, t("check.units_none_current"))
    as_of = data.get("as_of")
    return tuple(units), "" if as_of is None else str(as_of)


def _unit_line(text: str, index: int, name: str) -> int:
    """The line of the ``index``-th entry under ``units:`` (its name when found)."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith("units:")), 0)
    count = -1
    for number in range(start + 1, len(lines)):
        stripped = lines[number].lstrip()
        if stripped.startswith("- "):
            count += 1
            if count == index:
                return number + 1
    return _line_mentioning(text, name) if name else 1


def _check_unique_ids(modules: list[Module], log: ProblemLog) -> None:
    seen_modules: dict[str, SourceRef] = {}
    seen_ids: dict[str, SourceRef] = {}
    for module in modules:
        if module.id in seen_modules:
            _add_at(
                log,
                module.source,
                t("check.module_id_taken", module=module.id, where=seen_modules[module.id]),
            )
        seen_modules[module.id] = module.source
        items: list[Question | Scenario] = [*module.questions, *module.scenarios]
        for item in items:
            if item.id in seen_ids:
                _add_at(log, item.source, t("check.id_taken", item=item.id, where=seen_ids[item.id]))
            seen_ids[item.id] = item.source
    kinds = [m for m in modules if m.kind is ModuleKind.ASSESSMENT]
    if len(kinds) > 1:
        _add_at(log, kinds[1].source, t("check.one_assessment"))


def _add_at(log: ProblemLog, where: SourceRef, message: str) -> None:
    log.problems.append(Problem(where.path, where.line, message))


def _unknown_keys(
    data: Mapping[object, object], allowed: tuple[str, ...], what: str, line: int, log: ProblemLog
) -> None:
    for key in data:
        if key not in allowed:
            log.add(line, t("check.unknown_key", what=what, field=key, allowed=", ".join(allowed)))


def _line_mentioning(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle and needle in line:
            return number
    return 1
