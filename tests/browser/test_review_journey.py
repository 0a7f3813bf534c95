"""Issue 20 in Chromium: sign in, answer wrongly on a clause, see it "Cần ôn" on the "Nắm vững"
map, review it on "Ôn tập", see the next review date move to tomorrow; then move the clock two
days forward (``NEUGUONG_TEST_CLOCK_FILE``, never a sleep) and see the clause due again."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from signing import fill_pin

from widgets.content.course import load_course
from widgets.content.markdown import plain_text
from widgets.content.model import Question, QuestionType
from widgets.engine.mastery import requirement_clauses
from widgets.records.policy import COURSE_TZ
from widgets.views.review import CLOCK_FILE_ENV

from driving import answer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clock_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clock") / "offset-days"
    path.write_text("0", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any], browser: Any, clock_file: Path) -> Any:
    env = {"NEUGUONG_PREHEAT": "0", CLOCK_FILE_ENV: str(clock_file)}
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env=env)


def sign_in(page: Any, site: Any, wait: Callable[..., str], name: str) -> str:
    page.goto(site.render_url("home.ipynb"))
    wait(page)
    form = page.locator(".nk-signin")
    form.locator(".nk-name input").fill(name)
    form.locator(".nk-unit select").select_option(index=2)
    form.get_by_text("lãnh đạo", exact=True).click()
    fill_pin(form)
    form.locator(".nk-signin-submit").click()
    page.wait_for_function(
        "() => document.querySelector('a.nk-redirect') || location.search.includes('session=')"
    )
    href = page.url if "session=" in page.url else page.locator("a.nk-redirect").get_attribute("href")
    return re.search(r"session=([A-Za-z0-9_-]+)", href).group(1)


def shown_question(page: Any) -> Question:
    classes = page.locator(".nk-question").first.get_attribute("class") or ""
    question_id = next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))
    return load_course().question(question_id)


def answer_one_wrongly(page: Any, site: Any, wait: Callable[..., str], token: str) -> Question:
    """On the first module whose first question is a choice question, choose a wrong answer."""
    for module in load_course().modules:
        if not module.questions or module.kind.value != "lesson":
            continue
        page.goto(site.render_url(module.notebook, f"session={token}"))
        wait(page)
        page.wait_for_selector(".nk-question")
        question = shown_question(page)
        on_map = requirement_clauses(load_course().directive)
        if question.type not in {QuestionType.SINGLE, QuestionType.TRUE_FALSE} or not set(
            question.cites
        ) & set(on_map):
            continue
        wrong = next(c for c in question.choices if not c.correct)
        page.locator(".nk-question .nk-choices").get_by_text(plain_text(wrong.text), exact=True).click()
        page.locator(".nk-question .nk-submit").click()
        page.locator(".nk-feedback.nk-incorrect").wait_for()
        return question
    raise AssertionError("no module opens with a choice question")


def open_home(page: Any, site: Any, wait: Callable[..., str], token: str) -> Any:
    page.goto(site.render_url("home.ipynb", f"session={token}"))
    wait(page)
    page.locator(".nk-mastery-map").wait_for()
    return page.locator(".nk-mastery-map")


def state_of(page: Any, clause_id: str) -> str:
    classes = page.locator(f'.nk-mastery-clause[data-clause="{clause_id}"]').get_attribute("class") or ""
    return next(c.removeprefix("nk-state-") for c in classes.split() if c.startswith("nk-state-"))


def review_everything(page: Any) -> None:
    """Answer every review question rightly, then take the best action of the decision."""
    course = load_course()
    quiz = page.locator(".nk-review-page .nk-quiz")
    while quiz.count() and page.locator(".nk-quiz-summary").count() == 0:
        box = page.locator(".nk-question")
        box.wait_for()
        question = shown_question(page)
        answer(box, question)
        box.locator(".nk-submit").click()
        box.locator(".nk-feedback.nk-correct").wait_for()
        page.locator(".nk-quiz .nk-next").click()
        page.wait_for_function("(id) => !document.querySelector('.nk-q-' + id)", arg=question.id)
    decision = page.locator(".nk-review-decision")
    if decision.count():
        best = {
            plain_text(a.text)
            for s in course.scenarios
            for n in s.nodes
            for a in n.actions
            if a.rating.value == "best"
        }
        buttons = decision.locator(".nk-scenario-choice")
        texts = buttons.all_inner_texts()
        index = next(i for i, text in enumerate(texts) if text.strip() in best)
        buttons.nth(index).click()
        decision.locator(".nk-outcome").wait_for()
    page.wait_for_function("() => (document.querySelector('.nk-review-done') || {}).innerText")


@pytest.mark.slow
def test_wrong_answer_review_and_the_clock(
    site: Any, page: Any, wait_for_voila: Callable[..., str], clock_file: Path
) -> None:
    token = sign_in(page, site, wait_for_voila, "Lò Văn Ôn Tập")
    question = answer_one_wrongly(page, site, wait_for_voila, token)
    course = load_course()
    clause = next(c for c in question.cites if c in requirement_clauses(course.directive))

    mastery = open_home(page, site, wait_for_voila, token)
    assert mastery.locator(".nk-mastery-clause").count() == len(requirement_clauses(course.directive)) == 11
    assert state_of(page, clause) == "due"
    line = page.locator(f'.nk-mastery-clause[data-clause="{clause}"]').inner_text()
    assert "Cần ôn" in line and "↻" in line and course.directive.clause(clause).label in line
    assert not re.search(r"\b(heads|officials)\.\d\b", mastery.inner_text())  # no IDs on screen
    assert re.search(r"Hôm nay cần ôn \d+ nội dung", page.locator(".nk-next-review").inner_text())

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the map fits, no sideways scroll
    box = mastery.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for line in mastery.locator(".nk-mastery-clause").all():  # label and state word both on screen
        for part in (".nk-mastery-label", ".nk-mastery-state", ".nk-mastery-symbol"):
            inner = line.locator(part).bounding_box()
            assert inner is not None and inner["width"] > 0 and inner["x"] + inner["width"] <= 390
    page.set_viewport_size({"width": 1366, "height": 768})

    page.get_by_role("link", name="Ôn tập", exact=True).click()
    wait_for_voila(page)
    assert "on-tap.ipynb" in page.url and f"session={token}" in page.url
    review_everything(page)

    open_home(page, site, wait_for_voila, token)
    assert state_of(page, clause) == "learning"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(COURSE_TZ).strftime("%d/%m")
    moved = page.locator(".nk-next-review").inner_text()
    assert f"Lần ôn tiếp theo: {tomorrow}" in moved

    clock_file.write_text("2", encoding="utf-8")  # two days later, read by the next page's kernel
    open_home(page, site, wait_for_voila, token)
    assert state_of(page, clause) == "due"
    assert re.search(r"Hôm nay cần ôn \d+ nội dung", page.locator(".nk-next-review").inner_text())
