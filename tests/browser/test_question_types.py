"""Every question type and a whole scenario path, driven in Chromium by class names and visible text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from widgets.content.course import load_course
from widgets.content.model import Question, QuestionType

from driving import answer

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
        assert question.cites[0] in box.locator(".nk-citation").inner_text(), kind


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
