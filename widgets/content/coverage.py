"""How often each clause is taught, asked and acted out, and the course's overall figures."""

from __future__ import annotations

from typing import TypedDict

from widgets.content.model import Course, Level, Scenario
from widgets.i18n import t

KINDS = ("lessons", "questions", "scenarios")


class LevelFigures(TypedDict):
    """Questions by level over the whole course, and the application share in percent."""

    recall: int
    application: int
    unset: int
    application_share: int


class LevelReport(LevelFigures):
    """:class:`LevelFigures` with each clause's :func:`level_coverage`."""

    clauses: dict[str, dict[str, int]]


class ScenarioFigures(TypedDict):
    decision_nodes: int
    shortest_path: int


class ModuleFigures(TypedDict):
    kind: str
    lesson_sections: int
    questions: int
    quiz_draw: int | None
    pass_mark: int
    scenarios: int
    teaching_minutes: int
    exercise_minutes: int
    instructor_blocks: int


class CourseFigures(TypedDict):
    """What :func:`course_figures` gives (``neuguong coverage --json --figures`` prints it)."""

    questions: int
    question_types: dict[str, int]
    scenarios: int
    decisions: dict[str, ScenarioFigures]
    levels: LevelReport
    faq: int
    glossary: int
    modules: dict[str, ModuleFigures]


def clause_coverage(course: Course) -> dict[str, dict[str, int]]:
    """For every clause ID: lesson sections, questions and scenario nodes citing it."""
    counts = {clause_id: dict.fromkeys(KINDS, 0) for clause_id in course.directive.clause_ids}

    def count(kind: str, cites: tuple[str, ...]) -> None:
        for clause_id in set(cites):
            if clause_id in counts:
                counts[clause_id][kind] += 1

    for module in course.modules:
        for section in module.sections:
            count("lessons", section.cites)
        for question in module.questions:
            count("questions", question.cites)
        for scenario in module.scenarios:
            for node in scenario.nodes:
                count("scenarios", node.cites + tuple(c for a in node.actions for c in a.cites))
    return counts


def level_coverage(course: Course) -> dict[str, dict[str, int]]:
    """For every clause ID: questions citing it, how many are ``application``, and that share in
    percent (rounded down)."""
    report = {}
    for clause_id in course.directive.clause_ids:
        citing = [q for q in course.questions if clause_id in q.cites]
        application = sum(q.level is Level.APPLICATION for q in citing)
        share = 100 * application // len(citing) if citing else 0
        report[clause_id] = {"questions": len(citing), "application": application, "share": share}
    return report


def level_figures(course: Course) -> LevelFigures:
    """Questions by level over the whole course (``unset`` until every question has one)."""
    questions = course.questions
    application = sum(q.level is Level.APPLICATION for q in questions)
    return {
        "recall": sum(q.level is Level.RECALL for q in questions),
        "application": application,
        "unset": sum(q.level is None for q in questions),
        "application_share": 100 * application // len(questions) if questions else 0,
    }


def decisions_on_shortest_path(scenario: Scenario) -> int:
    """The fewest decisions a learner makes from the start to an end node (0 if none is reached)."""
    frontier, depth, seen = {scenario.start}, 0, set()
    while frontier:
        if any(scenario.node(n).is_end for n in frontier):
            return depth
        seen |= frontier
        frontier = {a.next for n in frontier for a in scenario.node(n).actions} - seen
        depth += 1
    return 0


def course_figures(course: Course) -> CourseFigures:
    """The quantities a course is judged by: questions and their types, scenario cases and their
    decisions, and per module its lesson sections, quiz, scenarios, minutes and facilitator notes."""
    questions = course.questions
    types: dict[str, int] = {}
    for question in questions:
        types[question.type.value] = types.get(question.type.value, 0) + 1
    return {
        "questions": len(questions),
        "question_types": types,
        "scenarios": len(course.scenarios),
        "decisions": {
            scenario.id: {
                "decision_nodes": sum(not node.is_end for node in scenario.nodes),
                "shortest_path": decisions_on_shortest_path(scenario),
            }
            for scenario in course.scenarios
        },
        "levels": {**level_figures(course), "clauses": level_coverage(course)},
        "faq": len(course.faq),
        "glossary": len(course.glossary),
        "modules": {
            module.id: {
                "kind": module.kind.value,
                "lesson_sections": len(module.sections),
                "questions": len(module.questions),
                "quiz_draw": module.quiz.draw,
                "pass_mark": module.quiz.pass_mark,
                "scenarios": len(module.scenarios),
                "teaching_minutes": module.teaching_minutes,
                "exercise_minutes": module.exercise_minutes,
                "instructor_blocks": len(module.instructor),
            }
            for module in course.modules
        },
    }


def coverage_table(
    coverage: dict[str, dict[str, int]], levels: dict[str, dict[str, int]] | None = None
) -> str:
    """The coverage as an aligned text table; with ``levels``, the application questions per
    clause and their share."""
    header: tuple[str, ...] = (
        t("coverage.col.clause"),
        t("coverage.col.lessons"),
        t("coverage.col.questions"),
        t("coverage.col.scenarios"),
    )
    rows = [header, *((cid, *(str(c[k]) for k in KINDS)) for cid, c in coverage.items())]
    if levels is not None:
        rows[0] = (*header, t("coverage.col.application"), t("coverage.col.share"))
        rows[1:] = [
            (*row, str(levels[row[0]]["application"]), f"{levels[row[0]]['share']}%") for row in rows[1:]
        ]
        header = rows[0]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def figures_summary(figures: CourseFigures) -> str:
    """The course's overall figures in a few lines of text."""
    types = ", ".join(f"{name} {count}" for name, count in figures["question_types"].items())
    levels = figures["levels"]
    fewest = min((d["shortest_path"] for d in figures["decisions"].values()), default=0)
    return "\n".join(
        (
            t(
                "coverage.questions",
                questions=figures["questions"],
                count=len(figures["question_types"]),
                types=types,
            ),
            t(
                "coverage.levels",
                application=levels["application"],
                recall=levels["recall"],
                unset=levels["unset"],
                application_share=levels["application_share"],
            ),
            t("coverage.scenarios", scenarios=figures["scenarios"], fewest=fewest),
            t("coverage.reference", faq=figures["faq"], glossary=figures["glossary"]),
        )
    )
