"""In Chromium, on a real learner site: a direct visit to the final assessment or the certificate
page before the course's rules hold shows what remains (``nk-locked``) and no question; the
"Xác minh chứng nhận" page, linked from the home page and open without signing in, refuses a
forged code and shows a real certificate's learner.

The learner's records are made through the store the site uses (same data folder), and the
pages are opened with a session token (``tests/signing.py``), as after a sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from signing import session_query

from widgets.content.course import load_course
from widgets.content.model import Course, ModuleKind
from widgets.engine.progress import FINAL_ID, requirements_for
from widgets.engine.results import AnswerResult, QuizResult, ScenarioResult, ScenarioStep
from widgets.records.config import DB_FILE, sqlite_url
from widgets.records.identity import STAFF
from widgets.records.store import Store, open_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any], browser: Any) -> Any:
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


@pytest.fixture(scope="module")
def store(site: Any) -> Store:
    """The site's own records store (its data folder), opened from the test."""
    return open_store(sqlite_url(site.data_dir / DB_FILE), data=site.data_dir)


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course()


def complete_modules(store: Store, learner_id: str, course: Course, *, skip: int = 0) -> None:
    requirements = requirements_for(course)
    for req in requirements[: len(requirements) - skip]:
        if req.quiz_id:
            attempt = store.start_attempt(learner_id, req.quiz_id, module_id=req.module_id)
            answer = AnswerResult("q", "a", 1.0, 1.0, True, (), ())
            store.record_answer(learner_id, attempt.id, req.quiz_id, answer, module_id=req.module_id)
            result = QuizResult(req.quiz_id, attempt.id, (answer,), 80)
            store.finish_quiz(learner_id, result, module_id=req.module_id)
        for scenario_id in req.scenario_ids:
            run = store.start_scenario(learner_id, scenario_id, req.module_id)
            steps = (ScenarioStep("n1", "a1", "best", "end"),)
            result = ScenarioResult(scenario_id, steps, "end", 1, 1)
            store.finish_scenario(learner_id, run.id, req.module_id, result)


def final_notebook(course: Course) -> str:
    return next(m.notebook for m in course.modules if m.kind is ModuleKind.ASSESSMENT)


def test_the_final_is_locked_until_the_modules_are_done(
    site: Any, store: Store, course: Course, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    final = final_notebook(course)
    page.goto(site.render_url(final))  # a guest
    wait_for_voila(page)
    locked = page.locator(".nk-locked")
    locked.wait_for()
    assert "Đăng nhập" in locked.inner_text()
    assert page.locator(".nk-question").count() == 0

    learner = store.sign_in("Lò Văn Khóa", "Sở Nội vụ", STAFF)
    complete_modules(store, learner.id, course, skip=2)
    page.goto(site.render_url(final, session_query(store, learner.id)))
    wait_for_voila(page)
    locked = page.locator(".nk-locked")
    locked.wait_for()
    text = locked.inner_text()
    assert "Bài kiểm tra tổng hợp chưa mở" in text
    missing = [m for m in course.modules if m.id in {r.module_id for r in requirements_for(course)[-2:]}]
    for module in missing:
        assert module.title in text
        link = locked.get_by_role("link", name=f"Học phần «{module.title}»")
        assert module.notebook in (link.get_attribute("href") or "")
    assert page.locator(".nk-question").count() == 0
    assert store.attempts(learner.id, FINAL_ID) == []

    complete_modules(store, learner.id, course)
    page.goto(site.render_url(final, session_query(store, learner.id)))
    wait_for_voila(page)
    page.locator(".nk-question").first.wait_for()
    assert page.locator(".nk-locked").count() == 0
    assert len(store.attempts(learner.id, FINAL_ID)) == 1


def test_no_certificate_before_the_final_is_passed(
    site: Any, store: Store, course: Course, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    learner = store.sign_in("Quàng Thị Chưa", "Sở Nội vụ", STAFF)
    page.goto(site.render_url("chung-nhan.ipynb", session_query(store, learner.id)))
    wait_for_voila(page)
    locked = page.locator(".nk-locked")
    locked.wait_for()
    assert "Giấy chứng nhận chưa được cấp" in locked.inner_text()
    assert final_notebook(course) in (
        locked.get_by_role("link", name="Đạt bài kiểm tra tổng hợp").first.get_attribute("href") or ""
    )
    assert page.locator(".nk-pledge, .nk-certificate").count() == 0
    assert store.certificate(learner.id) is None


def certified(store: Store, name: str) -> Any:
    learner = store.sign_in(name, "Sở Tư pháp", STAFF)
    attempt = store.start_attempt(learner.id, FINAL_ID, module_id="kiem-tra")
    answer = AnswerResult("q", "a", 1.0, 1.0, True, (), ())
    store.record_answer(learner.id, attempt.id, FINAL_ID, answer, module_id="kiem-tra")
    store.finish_quiz(learner.id, QuizResult(FINAL_ID, attempt.id, (answer,), 80), module_id="kiem-tra")
    store.record_pledge(learner.id, "Tôi cam kết.")
    return store.issue_certificate(learner.id)


def test_verification_page_refuses_a_forged_code_and_shows_a_real_one(
    site: Any, store: Store, course: Course, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    cert = certified(store, "Tòng Văn Xác")
    page.goto(site.render_url("home.ipynb"))  # not signed in
    wait_for_voila(page)
    page.get_by_role("link", name="Xác minh chứng nhận").click()
    wait_for_voila(page)
    assert "xac-minh.ipynb" in page.url
    code = page.locator(".nk-verify-code input")
    result = page.locator(".nk-verify-result")
    forged = cert.code[:-1] + ("0" if cert.code[-1] != "0" else "1")
    code.fill(forged)
    page.locator(".nk-verify-submit").click()
    page.locator(".nk-verify-result.nk-invalid").wait_for()
    assert "Tòng Văn Xác" not in result.inner_text()
    code.fill(cert.code)
    page.locator(".nk-verify-submit").click()
    page.locator(".nk-verify-result.nk-valid").wait_for()
    text = result.inner_text()
    assert "Tòng Văn Xác" in text and "Sở Tư pháp" in text and course.title in text
    assert "nk-invalid" not in (result.get_attribute("class") or "")

    page.goto(site.render_url("xac-minh.ipynb", f"code={cert.code}"))  # the QR code's address
    wait_for_voila(page)
    page.locator(".nk-verify-result.nk-valid").wait_for()
    assert "Tòng Văn Xác" in page.locator(".nk-verify-result").inner_text()
