"""One module file → ``Module``: front matter, lesson sections, questions, scenarios, notes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from widgets.content.documents import read_document
from widgets.content.fields import check_cites, check_fields, cites_field, is_valid_id
from widgets.content.interpretation import lesson_parts
from widgets.content.markdown import Block
from widgets.content.model import (
    InstructorNote,
    LessonSection,
    Module,
    ModuleKind,
    Question,
    QuizPolicy,
    Scenario,
    SourceRef,
)
from widgets.content.problems import ProblemLog
from widgets.content.questions import parse_question
from widgets.content.scenarios import parse_scenario
from widgets.i18n import t

MODULE_BLOCKS = ("lesson", "question", "scenario", "instructor")
FRONT_MATTER_KEYS = ("id", "title", "kind", "clauses", "teaching", "exercises", "summary")


def parse_module(
    path: Path,
    known_clauses: Collection[str],
    quiz: QuizPolicy,
    notebook: str,
    log: ProblemLog,
) -> Module | None:
    document = read_document(path, log, allowed_blocks=MODULE_BLOCKS)
    if document is None:
        return None
    if document.meta is None:
        return None  # unreadable front matter, already reported
    meta = document.meta
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            log.add(1, t("check.front_matter_unknown_key", field=key, allowed=", ".join(FRONT_MATTER_KEYS)))
    module_id = str(meta.get("id", ""))
    if not is_valid_id(module_id):
        log.add(1, t("check.front_matter_needs_id"))
    title = str(meta.get("title", "")).strip()
    if not title:
        log.add(1, t("check.front_matter_needs_title"))
    try:
        kind = ModuleKind(str(meta.get("kind", ModuleKind.LESSON.value)))
    except ValueError:
        log.add(1, t("check.unknown_kind", kind=meta.get("kind")))
        kind = ModuleKind.LESSON
    clauses = check_cites(
        _id_list(meta.get("clauses")),
        1,
        known_clauses,
        log,
        "front matter",
        required=kind is ModuleKind.LESSON,
    )

    sections: list[LessonSection] = []
    questions: list[Question] = []
    scenarios: list[Scenario] = []
    notes: list[InstructorNote] = []
    for block in document.blocks:
        if block.name == "lesson":
            sections.append(_lesson(block, document.lines, known_clauses, kind, log))
        elif block.name == "question":
            if (question := parse_question(block, document.lines, known_clauses, log)) is not None:
                questions.append(question)
        elif block.name == "scenario":
            scenario = parse_scenario(block, document.lines, known_clauses, log, path.parent)
            if scenario is not None:
                scenarios.append(scenario)
        else:
            check_fields(block, (), log)
            notes.append(InstructorNote(block.markdown(document.lines), SourceRef(log.path, block.line)))
    if not sections:
        log.add(1, t("check.module_needs_lesson"))
    return Module(
        id=module_id,
        title=title,
        kind=kind,
        clauses=clauses,
        teaching_minutes=_minutes(meta, "teaching", log),
        exercise_minutes=_minutes(meta, "exercises", log),
        sections=tuple(sections),
        questions=tuple(questions),
        scenarios=tuple(scenarios),
        instructor=tuple(notes),
        quiz=quiz,
        notebook=notebook,
        source=SourceRef(log.path, 1),
        summary=str(meta.get("summary", "")).strip(),
    )


def _lesson(
    block: Block, lines: list[str], known: Collection[str], kind: ModuleKind, log: ProblemLog
) -> LessonSection:
    check_fields(block, ("cites",), log)
    cites = cites_field(block, known, log, required=kind is not ModuleKind.GUIDE)
    body_nodes = list(block.body)
    title = ""
    if not block.head and body_nodes and body_nodes[0].type == "heading":
        title = " ".join(body_nodes[0].children[0].content.split())
        body_nodes = body_nodes[1:]
    else:
        log.add(block.line, t("check.lesson_needs_heading"))
    parts = lesson_parts(block, lines, body_nodes, known, log)
    body = "\n\n".join(part.body for part in parts if part.interpretation is None and part.body)
    has_boxes = any(part.interpretation for part in parts)
    return LessonSection(title, body, cites, SourceRef(log.path, block.line), parts if has_boxes else ())


def _id_list(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    if isinstance(value, str):
        return tuple(part for part in value.replace(",", " ").split() if part)
    return ()


def _minutes(meta: Mapping[str, object], key: str, log: ProblemLog) -> int:
    value = meta.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    log.add(1, t("check.front_matter_minutes", field=key))
    return 0
