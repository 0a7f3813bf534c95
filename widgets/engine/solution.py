"""Answers in words: a question's correct answer, revealed only once the question is settled, and a
stored response as the trainer's reports and live rooms show it."""

from __future__ import annotations

import json

from widgets.content.model import Question, QuestionType


def solution_lines(question: Question) -> tuple[str, ...]:
    """Inline-Markdown lines that state the correct answer."""
    if question.type is QuestionType.MATCHING:
        return tuple(f"{pair.item} → {pair.category}" for pair in question.pairs)
    if question.type is QuestionType.ORDERING:
        return tuple(f"{n}. {item.text}" for n, item in enumerate(question.order, start=1))
    return tuple(choice.text for choice in question.choices if choice.correct)


def response_label(question: Question | None, response: str) -> str:
    """A stored response in words: the choice texts, the order, the matches or the typed text."""
    try:
        value = json.loads(response)
    except ValueError:
        return response
    if question is None:
        return response
    choices = {choice.id: choice.text for choice in (*question.choices, *question.order)}
    if isinstance(value, str):
        if question.type is QuestionType.SHORT:
            return f"«{value}»"
        return choices.get(value, value)
    if question.type is QuestionType.MATCHING:
        items = {pair.id: pair.item for pair in question.pairs}
        return "; ".join(f"{items.get(pid, pid)} → {category}" for pid, category in value)
    joiner = " → " if question.type is QuestionType.ORDERING else " + "
    return joiner.join(choices.get(item, str(item)) for item in value)
