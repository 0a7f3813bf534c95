"""The correct answer of a question in words, revealed only once the question is settled."""

from __future__ import annotations

from widgets.content.model import Question, QuestionType


def solution_lines(question: Question) -> tuple[str, ...]:
    """Inline-Markdown lines that state the correct answer."""
    if question.type is QuestionType.MATCHING:
        return tuple(f"{pair.item} → {pair.category}" for pair in question.pairs)
    if question.type is QuestionType.ORDERING:
        return tuple(f"{n}. {item.text}" for n, item in enumerate(question.order, start=1))
    return tuple(choice.text for choice in question.choices if choice.correct)
