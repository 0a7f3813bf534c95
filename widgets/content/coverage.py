"""How often each clause is taught, asked and acted out."""

from __future__ import annotations

from widgets.content.model import Course

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


def coverage_table(coverage: dict[str, dict[str, int]]) -> str:
    """The coverage as an aligned text table."""
    header = ("điều khoản", "bài học", "câu hỏi", "tình huống")
    rows = [header, *((cid, *(str(c[k]) for k in KINDS)) for cid, c in coverage.items())]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)
