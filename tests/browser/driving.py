"""Driving question widgets in the browser the way a learner does (not a test module)."""

from __future__ import annotations

from typing import Any

from widgets.content.markdown import plain_text
from widgets.content.model import Question, QuestionType


def answer(box: Any, question: Question) -> None:
    """Give the right answer through the controls a learner sees."""
    kind = question.type
    if kind in {QuestionType.SINGLE, QuestionType.TRUE_FALSE}:
        right = next(c.text for c in question.choices if c.correct)
        box.locator(".nk-choices").get_by_text(plain_text(right), exact=True).click()
    elif kind is QuestionType.MULTIPLE:
        for choice in question.choices:
            if choice.correct:
                box.locator(".nk-choices").get_by_text(plain_text(choice.text), exact=True).click()
    elif kind is QuestionType.MATCHING:
        rows = box.locator(".nk-matching .widget-hbox")
        for index in range(rows.count()):
            row = rows.nth(index)
            item = row.locator(".nk-match-item").inner_text().strip()
            category = next(p.category for p in question.pairs if plain_text(p.item) == item)
            row.locator("select").select_option(label=category)
    elif kind is QuestionType.ORDERING:
        wanted = [plain_text(item.text) for item in question.order]
        for position, text in enumerate(wanted):
            while True:
                labels = [
                    label.split(". ", 1)[1] for label in box.locator(".nk-order-item").all_inner_texts()
                ]
                current = labels.index(text)
                if current == position:
                    break
                before = box.locator(".nk-ordering").inner_text()
                box.locator(".nk-ordering .widget-hbox").nth(current).locator(".nk-move").first.click()
                box.page.wait_for_function(
                    "([el, before]) => el.innerText !== before",
                    arg=[box.locator(".nk-ordering").element_handle(), before],
                )
    else:
        box.locator(".nk-text-answer input").fill(next(c.text for c in question.choices if c.correct))
