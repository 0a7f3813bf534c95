"""How often each clause is taught, asked and acted out, and the course's overall figures."""

from __future__ import annotations

from typing import Any

from widgets.content.model import Course, Scenario

KINDS = ("lessons", "questions", "scenarios")


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


def course_figures(course: Course) -> dict[str, Any]:
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


def coverage_table(coverage: dict[str, dict[str, int]]) -> str:
    """The coverage as an aligned text table."""
    header = ("điều khoản", "bài học", "câu hỏi", "tình huống")
    rows = [header, *((cid, *(str(c[k]) for k in KINDS)) for cid, c in coverage.items())]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def figures_summary(figures: dict[str, Any]) -> str:
    """The course's overall figures in a few lines of text."""
    types = ", ".join(f"{name} {count}" for name, count in figures["question_types"].items())
    fewest = min((d["shortest_path"] for d in figures["decisions"].values()), default=0)
    return "\n".join(
        (
            f"câu hỏi: {figures['questions']} ({len(figures['question_types'])} dạng: {types})",
            f"tình huống: {figures['scenarios']} (ít nhất {fewest} quyết định trên mỗi đường đi)",
            f"hỏi đáp: {figures['faq']}; thuật ngữ: {figures['glossary']}",
        )
    )
