"""The final assessment's pool: the bank without the guide's and interpretive questions, plus
each scenario's decisions asked as questions (a "decision set", scored)."""

from __future__ import annotations

from widgets.content.model import (
    DECISION_SEPARATOR,
    RATING_POINTS,
    Choice,
    Course,
    Level,
    ModuleKind,
    Question,
    QuestionType,
    Rating,
    Scenario,
)

_BEST = RATING_POINTS[Rating.BEST]


def decision_items(scenario: Scenario) -> tuple[Question, ...]:
    """The scenario's decisions on its best path, each asked as a single-choice question.

    The best action scores full marks, an acceptable one half (as on a scenario path), a
    violation nothing; each action's feedback is its consequence and rationale.
    """
    items: list[Question] = []
    node, seen = scenario.node(scenario.start), set()
    while not node.is_end and node.id not in seen:
        seen.add(node.id)
        choices = tuple(
            Choice(
                id=f"a{index + 1}",
                text=action.text,
                correct=action.rating is Rating.BEST,
                feedback="\n\n".join(p for p in (action.consequence, action.rationale) if p),
                weight=100 * RATING_POINTS[action.rating] / _BEST,
            )
            for index, action in enumerate(node.actions)
        )
        cites = tuple(dict.fromkeys((*node.cites, *(c for a in node.actions for c in a.cites))))
        best = max(node.actions, key=lambda action: RATING_POINTS[action.rating])
        items.append(
            Question(
                id=f"{scenario.id}{DECISION_SEPARATOR}{node.id}",
                type=QuestionType.SINGLE,
                stem=f"**{scenario.title}** — {scenario.setting}\n\n{node.text}",
                cites=cites,
                explanation=best.rationale,
                source=node.source,
                choices=choices,
                level=Level.APPLICATION,
                decision_set=scenario.id,
            )
        )
        node = scenario.node(best.next)
    return tuple(items)


def final_pool(course: Course) -> tuple[Question, ...]:
    """What the final may draw: every question except the guide's and interpretive ones, then
    the decision items of every scenario outside the guide."""
    counted = [m for m in course.modules if m.kind is not ModuleKind.GUIDE]
    questions = [q for m in counted for q in m.questions if not q.interpretive]
    decisions = [item for m in counted for s in m.scenarios for item in decision_items(s)]
    return (*questions, *decisions)
