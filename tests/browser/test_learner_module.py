"""The module page through a real Voilà and headless Chromium: answer wrongly, then rightly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from widgets.content.citations import clause_names
from widgets.content.course import load_course
from widgets.content.model import ModuleKind, Question, QuestionType
from widgets.engine.quiz import QuizAttempt
from widgets.views.module import GUEST

VoilaServer = Any

REPO = Path(__file__).resolve().parents[2]
LEARNER_ROOT = REPO / "notebooks" / "learner"


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., VoilaServer]) -> VoilaServer:
    return start_voila("learner", root_dir=LEARNER_ROOT)


def current_question(page: Any) -> Question:
    """The question shown, found by its ``nk-q-<id>`` class."""
    classes = page.locator(".nk-question").first.get_attribute("class") or ""
    question_id = next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))
    return load_course().question(question_id)


def choose(page: Any, text: str) -> None:
    page.locator(".nk-question").get_by_text(text, exact=True).click()


def module_opening_with_a_choice_question() -> str:
    """A module whose first question for a guest (a reproducible draw) is single choice."""
    course = load_course()
    for module in course.modules:
        if module.kind is ModuleKind.LESSON and module.questions:
            attempt = QuizAttempt.start(
                module.id,
                module.questions,
                module.quiz,
                learner_id=GUEST,
                attempt=1,
                clauses=course.directive.clause_ids,
            )
            if attempt.questions[0].type in {QuestionType.SINGLE, QuestionType.TRUE_FALSE}:
                return module.notebook
    raise AssertionError("no module opens with a single-choice question")


def test_answer_wrongly_then_rightly(
    page: Any, site: VoilaServer, wait_for_voila: Callable[..., str]
) -> None:
    page.goto(site.render_url(module_opening_with_a_choice_question()))
    wait_for_voila(page)
    page.wait_for_selector(".nk-question")
    question = current_question(page)
    assert question.type in {QuestionType.SINGLE, QuestionType.TRUE_FALSE}
    wrong = next(c for c in question.choices if not c.correct)
    right = next(c for c in question.choices if c.correct)

    choose(page, wrong.text)
    page.locator(".nk-submit").click()
    feedback = page.locator(".nk-feedback.nk-incorrect")
    feedback.wait_for()
    assert wrong.feedback.split()[0] in feedback.inner_text()
    assert page.locator(".nk-citation").count() == 0

    choose(page, right.text)
    page.locator(".nk-submit").click()
    page.locator(".nk-feedback.nk-correct").wait_for()
    citation = page.locator(".nk-citation")
    citation.wait_for()
    assert clause_names(load_course().directive)[question.cites[0]] in citation.inner_text()
    assert page.locator(".nk-next").is_visible()


def test_key_is_not_in_the_page(page: Any, site: VoilaServer, wait_for_voila: Callable[..., str]) -> None:
    page.goto(site.render_url("02-tong-quan.ipynb"))
    wait_for_voila(page)
    question = current_question(page)
    html = page.content()
    assert question.explanation[:40] not in html
    for choice in question.choices:
        assert choice.feedback[:40] not in html
