"""Issue 6's full learner journey in Chromium: sign in → every module → final → pledge → certificate.

Also completes one module's quiz with the keyboard only. Every request stays on loopback (the
``page`` fixture fails the test otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from signing import fill_pin

from widgets.content.course import load_course
from widgets.content.model import ModuleKind

from driving import answer, answer_with_keys, tab_to

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any], browser: Any) -> Any:
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


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


def finish_quiz(page: Any) -> None:
    """Answer every question rightly through the controls, then show the summary."""
    course = load_course()
    while page.locator(".nk-quiz-summary").count() == 0:
        box = page.locator(".nk-question")
        box.wait_for()
        classes = box.get_attribute("class") or ""
        question_id = next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))
        answer(box, course.question(question_id))
        box.locator(".nk-submit").click()
        box.locator(".nk-feedback.nk-correct").wait_for()
        page.locator(".nk-quiz .nk-next").click()
        try:
            page.wait_for_function("(id) => !document.querySelector('.nk-q-' + id)", arg=question_id)
        except Exception:
            page.screenshot(path="/tmp/journey-fail.png", full_page=True)
            raise
    assert "nk-passed" in (page.locator(".nk-quiz-summary").get_attribute("class") or "")


def finish_scenarios(page: Any) -> None:
    scenarios = page.locator(".nk-scenario")
    for index in range(scenarios.count()):
        scenario = scenarios.nth(index)
        ready = scenario.locator(".nk-scenario-choice:not([disabled]), .nk-scenario-end").first
        ready.wait_for()
        while scenario.locator(".nk-scenario-end").count() == 0:
            scenario.locator(".nk-scenario-choice:not([disabled])").first.click()
            scenario.locator(".nk-outcome").wait_for()
            scenario.locator(".nk-next").click()
            ready.wait_for()  # the next decision, or the end of the case


@pytest.mark.slow
def test_full_journey_to_the_certificate(site: Any, page: Any, wait_for_voila: Callable[..., str]) -> None:
    course = load_course()
    learner = sign_in(page, site, wait_for_voila, "Lường Văn Thắng")
    for module in course.modules:
        if module.kind is ModuleKind.ASSESSMENT:
            continue
        page.goto(site.render_url(module.notebook, f"session={learner}"))
        wait_for_voila(page)
        if module.questions:
            finish_quiz(page)
        finish_scenarios(page)

    page.goto(site.render_url("home.ipynb", f"session={learner}"))
    wait_for_voila(page)
    final = next(m for m in course.modules if m.kind is ModuleKind.ASSESSMENT)
    card = page.locator(f'.nk-module-card .nk-card-body[data-module="{final.id}"]')
    assert card.get_attribute("data-state") == "open"

    page.goto(site.render_url(final.notebook, f"session={learner}"))
    wait_for_voila(page)
    finish_quiz(page)

    page.goto(site.render_url("home.ipynb", f"session={learner}"))
    wait_for_voila(page)
    page.locator(".nk-certificate-link a").click()
    wait_for_voila(page)
    pledge = page.locator(".nk-pledge")
    pledge.wait_for()
    assert "Lường Văn Thắng" in pledge.inner_text()
    pledge.locator(".nk-pledge-agree input").check()
    pledge.locator(".nk-pledge-submit").click()
    certificate = page.locator(".nk-certificate")
    certificate.wait_for()
    assert "Lường Văn Thắng" in certificate.inner_text()
    code = page.locator(".nk-cert-code").inner_text().strip()
    assert re.fullmatch(r"NG-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code


def test_keyboard_only_module(site: Any, page: Any, wait_for_voila: Callable[..., str]) -> None:
    """A module's whole quiz with no mouse: each question answered with Tab, arrows, Space,
    typing and Enter on "Kiểm tra", the verdict announced (aria-live), then Tab to the next
    question and Enter, until the summary says the learner passed."""
    course = load_course()
    module = next(m for m in course.modules if m.notebook == "03-nguoi-dung-dau.ipynb")
    page.goto(site.render_url(module.notebook))
    wait_for_voila(page)
    quiz = page.locator(".nk-quiz")
    answered: list[str] = []
    for _ in range(len(module.questions) + 1):
        page.locator(".nk-question, .nk-quiz-summary").first.wait_for()
        if page.locator(".nk-quiz-summary").count():
            break
        box = page.locator(".nk-question")
        classes = box.get_attribute("class") or ""
        question = course.question(next(c[5:] for c in classes.split() if c.startswith("nk-q-")))
        answer_with_keys(box, question)
        box.locator(".nk-feedback.nk-correct").wait_for()
        assert box.locator(".nk-feedback [role=status][aria-live=polite]").count() == 1
        answered.append(question.id)
        tab_to(quiz, ".nk-next")
        page.keyboard.press("Enter")
        page.wait_for_function("(id) => !document.querySelector('.nk-q-' + id)", arg=question.id)
    summary = page.locator(".nk-quiz-summary")
    assert "nk-passed" in (summary.get_attribute("class") or "")
    assert len(answered) >= 2 and len(set(answered)) == len(answered)
