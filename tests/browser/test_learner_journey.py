"""Issue 5's journey: sign in, part of a module, reload, progress kept, finish, same identity elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from signing import fill_pin

from widgets.content.course import load_course

from driving import answer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any], browser: Any) -> Any:
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


def sign_in(page: Any, name: str) -> str:
    """Fill the sign-in form (with the PIN); returns the session token carried by the link to
    the learner's home (never a learner ID)."""
    form = page.locator(".nk-signin")
    form.locator(".nk-name input").fill(name)
    form.locator(".nk-unit select").select_option(index=1)
    form.get_by_text("cán bộ, công chức, viên chức", exact=True).click()
    fill_pin(form)
    form.locator(".nk-signin-submit").click()
    link = page.locator("a.nk-redirect")
    page.wait_for_function(
        "() => document.querySelector('a.nk-redirect') || location.search.includes('session=')"
    )
    href = page.url if "session=" in page.url else link.get_attribute("href")
    query = parse_qs(urlparse(href).query)
    assert "learner" not in query
    return query["session"][0]


def answer_current_rightly(page: Any) -> str:
    box = page.locator(".nk-question")
    classes = box.get_attribute("class") or ""
    question_id = next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))
    question = load_course().question(question_id)
    answer(box, question)
    box.locator(".nk-submit").click()
    box.locator(".nk-feedback.nk-correct").wait_for()
    return question_id


def test_sign_in_progress_survives_reload_and_new_context(
    site: Any, page: Any, browser: Any, wait_for_voila: Callable[..., str]
) -> None:
    page.goto(site.render_url("home.ipynb"))
    wait_for_voila(page)
    learner = sign_in(page, "Cầm Thị Hương")
    module = next(m for m in load_course().modules if m.id == "tong-quan")
    page.goto(site.render_url(module.notebook, f"session={learner}"))
    wait_for_voila(page)
    first = answer_current_rightly(page)

    page.reload()
    wait_for_voila(page)
    page.locator(".nk-question").first.wait_for()
    # the answered question is kept: the page resumes at the next one
    assert f"nk-q-{first}" not in (page.locator(".nk-question").get_attribute("class") or "")

    while page.locator(".nk-quiz-summary").count() == 0:
        answered = answer_current_rightly(page)
        page.locator(".nk-next").click()
        page.wait_for_function("(id) => !document.querySelector('.nk-q-' + id)", arg=answered, timeout=30_000)
    assert "nk-passed" in (page.locator(".nk-quiz-summary").get_attribute("class") or "")
    for index in range(len(module.scenarios)):
        scenario = page.locator(".nk-scenario").nth(index)
        ready = scenario.locator(".nk-scenario-choice:not([disabled]), .nk-scenario-end").first
        ready.wait_for()
        while scenario.locator(".nk-scenario-end").count() == 0:
            scenario.locator(".nk-scenario-choice:not([disabled])").first.click()
            scenario.locator(".nk-next").click()
            ready.wait_for()

    other = browser.new_context(viewport={"width": 1366, "height": 768})
    other.route(
        "**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort()
    )
    fresh = other.new_page()  # another device: name, unit and PIN bring the same records back
    fresh.goto(site.render_url("home.ipynb"))
    wait_for_voila(fresh)
    sign_in(fresh, "Cầm Thị Hương")
    progress = fresh.locator(".nk-progress")
    progress.wait_for()
    assert "Cầm Thị Hương" in progress.inner_text()
    state = fresh.locator(f'.nk-progress li[data-module="{module.id}"]').get_attribute("data-state")
    assert state == "complete"
    other.close()


def test_hostile_name_is_refused_and_nothing_runs(
    site: Any, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(site.render_url("home.ipynb"))
    wait_for_voila(page)
    form = page.locator(".nk-signin")
    form.locator(".nk-name input").fill("<img src=x onerror=alert(1)>")
    form.locator(".nk-unit select").select_option(index=1)
    form.get_by_text("lãnh đạo", exact=True).click()
    form.locator(".nk-signin-submit").click()
    message = form.locator(".nk-message-error")
    message.wait_for()
    assert "«<»" in message.inner_text()
    assert page.locator(".nk-signin img").count() == 0
    assert alerts == []
