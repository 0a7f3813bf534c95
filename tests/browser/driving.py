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


FOCUSED_IN = """([box, selector]) => {
    const el = document.activeElement;
    return !!el && box.contains(el) && el.matches(selector);
}"""


def tab_to(box: Any, selector: str, *, limit: int = 150) -> None:
    """Press Tab (then Shift+Tab) until the focus is on a control matching ``selector`` in ``box``."""
    page, handle = box.page, box.element_handle()
    for key in ("Tab", "Shift+Tab"):
        for _ in range(limit):
            if page.evaluate(FOCUSED_IN, [handle, selector]):
                return
            page.keyboard.press(key)
    raise AssertionError(f"{selector} cannot be reached with Tab")


def answer_with_keys(box: Any, question: Question) -> None:
    """Give the right answer with the keyboard only: Tab, arrows, Space, typing and Enter, the
    way a learner without a mouse does, waiting only for what such a learner sees change."""
    page, kind = box.page, question.type
    if kind in {QuestionType.SINGLE, QuestionType.TRUE_FALSE}:
        right = plain_text(next(c.text for c in question.choices if c.correct))
        tab_to(box, "input[type=radio]")
        page.keyboard.press("Space")
        checked = box.locator("label:has(input:checked)")
        for _ in range(len(question.choices)):
            if checked.inner_text().strip() == right:
                break
            page.keyboard.press("ArrowDown")
        assert checked.inner_text().strip() == right
    elif kind is QuestionType.MULTIPLE:
        right = {plain_text(c.text) for c in question.choices if c.correct}
        boxes = box.locator("input[type=checkbox]")
        for index in range(boxes.count()):
            label = boxes.nth(index).evaluate("el => el.closest('.widget-checkbox').innerText.trim()")
            if label in right:
                tab_to(box, f".nk-choices > .widget-checkbox:nth-child({index + 1}) input")
                page.keyboard.press("Space")
        assert box.locator("input:checked").count() == len(right)
    elif kind is QuestionType.MATCHING:
        rows = box.locator(".nk-matching .widget-hbox")
        for index in range(rows.count()):
            item = rows.nth(index).locator(".nk-match-item").inner_text().strip()
            category = next(p.category for p in question.pairs if plain_text(p.item) == item)
            select = rows.nth(index).locator("select")
            tab_to(box, f".nk-matching > .widget-hbox:nth-child({index + 1}) select")
            for _ in range(len(question.categories) + 1):
                if select.evaluate("el => el.value") == category:
                    break
                page.keyboard.press("ArrowDown")
            assert select.evaluate("el => el.value") == category
    elif kind is QuestionType.ORDERING:
        wanted = [plain_text(item.text) for item in question.order]
        labels = box.locator(".nk-order-item")
        for position, text in enumerate(wanted):
            current = [label.split(". ", 1)[1] for label in labels.all_inner_texts()].index(text)
            if current == position:
                continue
            tab_to(box, f".nk-ordering > .widget-hbox:nth-child({current + 1}) .nk-move-up")
            while current > position:
                page.keyboard.press("Enter")
                current -= 1
                # what the learner sees: the item one row up, the focus ring still beside it
                page.wait_for_function(
                    """([box, row, text]) => {
                        const rows = box.querySelectorAll('.nk-ordering > .widget-hbox');
                        const el = document.activeElement;
                        return rows[row].innerText.includes(text) && rows[row].contains(el)
                            && el.matches('.nk-move');
                    }""",
                    arg=[box.element_handle(), current, f"{current + 1}. {text}"],
                )
    else:
        tab_to(box, "input[type=text]")
        page.keyboard.type(next(c.text for c in question.choices if c.correct))
    tab_to(box, ".nk-submit")
    page.keyboard.press("Enter")
