"""Every question type and a whole scenario path, driven in Chromium by class names and visible text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from widgets.content.citations import clause_names
from widgets.content.course import load_course
from widgets.content.markdown import plain_text
from widgets.content.model import Question, QuestionType
from widgets.i18n import t

from driving import answer, answer_with_keys, tab_to

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def practice(start_voila: Callable[..., Any], browser: Any) -> Any:
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner")


@pytest.fixture
def practice_page(page: Any, practice: Any, wait_for_voila: Callable[..., str]) -> Any:
    page.goto(practice.render_url("cac-dang-cau-hoi.ipynb"))
    wait_for_voila(page)
    page.wait_for_selector(".nk-practice .nk-question")
    return page


def first_of(kind: QuestionType) -> Question:
    return next(q for q in load_course().questions if q.type is kind)


def test_every_type_right_answer(practice_page: Any) -> None:
    for kind in QuestionType:
        question = first_of(kind)
        box = practice_page.locator(f".nk-q-{question.id}")
        answer(box, question)
        box.locator(".nk-submit").click()
        box.locator(".nk-feedback.nk-correct").wait_for()
        box.locator(".nk-citation").wait_for()
        assert (
            clause_names(load_course().directive)[question.cites[0]]
            in box.locator(".nk-citation").inner_text()
        ), kind


def test_wrong_short_answer_then_keyboard_retry(practice_page: Any) -> None:
    question = first_of(QuestionType.SHORT)
    box = practice_page.locator(f".nk-q-{question.id}")
    box.locator(".nk-text-answer input").fill("<b>không biết</b>")
    box.locator(".nk-submit").focus()
    practice_page.keyboard.press("Enter")
    box.locator(".nk-feedback.nk-incorrect").wait_for()
    assert "<b>" not in box.locator(".nk-feedback").inner_html()


def test_scenario_path_to_the_end(practice_page: Any) -> None:
    scenario = practice_page.locator(".nk-scenario").first
    ready = scenario.locator(".nk-scenario-choice:not([disabled]), .nk-scenario-end").first
    for _ in range(10):
        ready.wait_for()  # the next decision, or the end of the case
        if scenario.locator(".nk-scenario-end").count():
            break
        scenario.locator(".nk-scenario-choice:not([disabled])").first.click()
        outcome = scenario.locator(".nk-outcome")
        outcome.wait_for()
        classes = outcome.get_attribute("class") or ""
        assert {"nk-best", "nk-acceptable", "nk-violation"} & set(classes.split())
        assert scenario.locator(".nk-citation").count() == 1
        scenario.locator(".nk-next").click()
    end = scenario.locator(".nk-scenario-end")
    end.wait_for()
    assert "Điểm tình huống" in end.inner_text()


CONTROLS = "input, select, button"
VISITED = """() => {
    const el = document.activeElement;
    if (!el || !el.closest('.nk-practice')) return null;
    const box = el.closest('.nk-question, .nk-scenario');
    const style = getComputedStyle(el), label = el.closest('label');
    const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
        || (label && getComputedStyle(label).outlineStyle !== 'none');
    return [box ? box.className : '', el.tagName, el.type || '', ring];
}"""


def test_every_control_is_reached_by_tab_with_a_visible_focus(practice_page: Any) -> None:
    """Tab alone walks through every control of every question type and the scenario, and
    each one shows a focus ring when it has the focus."""
    practice_page.locator(".nk-practice").first.click(position={"x": 2, "y": 2})
    seen: dict[str, list[tuple[str, str, bool]]] = {}
    for _ in range(120):
        practice_page.keyboard.press("Tab")
        found = practice_page.evaluate(VISITED)
        if found:
            box, tag, kind, ring = found
            seen.setdefault(box, []).append((tag, kind, ring))
    for kind in QuestionType:
        question = first_of(kind)
        [stops] = [v for box, v in seen.items() if f"nk-q-{question.id}" in box.split()]
        assert ("BUTTON", "submit", True) in stops or ("BUTTON", "button", True) in stops, kind
        assert all(ring for _, _, ring in stops), (kind, stops)
        expected = {
            QuestionType.SINGLE: "radio",
            QuestionType.TRUE_FALSE: "radio",
            QuestionType.MULTIPLE: "checkbox",
            QuestionType.MATCHING: "select-one",
            QuestionType.SHORT: "text",
        }.get(kind)
        if expected:
            assert any(k == expected for _, k, _ in stops), (kind, stops)
    [scenario] = [v for box, v in seen.items() if "nk-scenario" in box.split()]
    assert sum(tag == "BUTTON" for tag, _, _ in scenario) >= 2


def test_every_type_and_a_scenario_answered_with_the_keyboard_only(practice_page: Any) -> None:
    """No mouse: Tab to each control, Space, arrows, typing, then Enter on "Kiểm tra". Every type
    is graded on what was entered (keys pressed just before Enter included), the verdict in an
    aria-live region; then a scenario case is played to its end with Tab and Enter."""
    page = practice_page
    for kind in QuestionType:
        question = first_of(kind)
        box = page.locator(f".nk-q-{question.id}")
        answer_with_keys(box, question)
        box.locator(".nk-feedback.nk-correct").wait_for()
        assert box.locator(".nk-feedback [aria-live=polite]").count() == 1, kind  # announced
        box.locator(".nk-citation").wait_for()
    scenario = page.locator(".nk-scenario").first
    for _ in range(10):
        scenario.locator(".nk-scenario-choice:not([disabled]), .nk-scenario-end").first.wait_for()
        if scenario.locator(".nk-scenario-end").count():
            break
        tab_to(scenario, ".nk-scenario-choice:not([disabled])")
        chosen = page.evaluate("() => document.activeElement.innerText.trim()")
        page.keyboard.press("Enter")
        outcome = scenario.locator(".nk-outcome [aria-live=polite]")
        outcome.wait_for()  # announced, and it names the action taken
        assert chosen in outcome.locator(".nk-chosen").inner_text()
        tab_to(scenario, ".nk-next")
        page.keyboard.press("Enter")
    assert "Điểm tình huống" in scenario.locator(".nk-scenario-end").inner_text()


def test_matching_dropdowns_and_ordering_buttons_have_names(practice_page: Any) -> None:
    """A screen reader names each matching dropdown after its item and each ordering button
    after its item and direction (the roles and names Chromium's accessibility tree exposes)."""
    matching = first_of(QuestionType.MATCHING)
    box = practice_page.locator(f".nk-q-{matching.id}")
    for pair in matching.pairs:
        select = box.get_by_role(
            "combobox", name=t("quiz.match_label", item=plain_text(pair.item)), exact=True
        )
        assert select.count() == 1, pair.item
        assert select.evaluate("el => el.closest('.widget-hbox').querySelector('.nk-match-item').innerText")
    label = box.locator(".nk-match-category .widget-label").first
    assert (label.bounding_box() or {"width": 9})["width"] <= 1  # the item is already written beside it

    ordering = first_of(QuestionType.ORDERING)
    box = practice_page.locator(f".nk-q-{ordering.id}")
    items = [text.split(". ", 1)[1] for text in box.locator(".nk-order-item").all_inner_texts()]
    for position, item in enumerate(items):
        up = box.get_by_role("button", name=t("quiz.move_up", item=item), exact=True)
        down = box.get_by_role("button", name=t("quiz.move_down", item=item), exact=True)
        assert up.count() == 1 and down.count() == 1, item
        assert up.is_disabled() == (position == 0) and down.is_disabled() == (position == len(items) - 1)
        arrows = [b.evaluate("el => getComputedStyle(el, '::before').content") for b in (up, down)]
        assert "↑" in arrows[0] and "↓" in arrows[1], arrows  # the glyph is still drawn
        assert (up.bounding_box() or {"height": 0})["height"] >= 44


def test_readable_at_200_percent_zoom(practice_page: Any) -> None:
    """A 1366-pixel screen at 200 %: 683 CSS pixels wide. Nothing scrolls sideways, nothing is
    cut off, type stays large and controls stay 44 px high."""
    practice_page.set_viewport_size({"width": 683, "height": 384})
    assert practice_page.evaluate("document.documentElement.scrollWidth") <= 683
    assert practice_page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    overflowing = practice_page.evaluate(
        """() => [...document.querySelectorAll('.nk-practice .nk-question, .nk-practice .nk-scenario,'
            + ' .nk-practice button, .nk-practice select, .nk-practice input[type=text]')]
            .filter(el => el.offsetParent !== null)
            .filter(el => el.getBoundingClientRect().right > 683 + 0.5)
            .map(el => el.className)"""
    )
    assert overflowing == []
    small = practice_page.evaluate(
        """() => [...document.querySelectorAll('.nk-practice button, .nk-practice select,'
            + ' .nk-practice input[type=text], .nk-practice .widget-radio-box label,'
            + ' .nk-practice .widget-checkbox')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
            .filter(([, h]) => h < 44)"""
    )
    assert small == []
