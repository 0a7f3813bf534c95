"""Issue 17: nobody can borrow a colleague's identity. A learner signs in (name, unit, PIN) in one
browser context; a second context, which never signed in, tries every way in that the issue
lists — a derived or guessed learner ID, ``?learner=``, a made-up token, an expired token, an
ended token — and a PIN brute force: each one shows nobody's records."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from signing import PIN, fill_pin

from widgets.content.course import load_course
from widgets.records.identity import STAFF, legacy_learner_id, load_secret, validate_sign_in

REPO = Path(__file__).resolve().parents[2]
NAME = "Hà Thị Đồng Nghiệp"
SLOW = 120_000


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any], browser: Any) -> Any:
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


def sign_in(page: Any, site: Any, wait: Callable[..., str], name: str, pin: str = PIN) -> None:
    page.goto(site.render_url("home.ipynb"))
    wait(page, timeout=SLOW / 1000)
    form = page.locator(".nk-signin")
    form.locator(".nk-name input").fill(name)
    form.locator(".nk-unit select").select_option(index=1)
    form.get_by_text(STAFF, exact=True).click()
    fill_pin(form, pin)
    form.locator(".nk-signin-submit").click()


def token_after_sign_in(page: Any) -> str:
    page.wait_for_function(
        "() => document.querySelector('a.nk-redirect') || location.search.includes('session=')",
        timeout=SLOW,
    )
    href = page.url if "session=" in page.url else page.locator("a.nk-redirect").get_attribute("href")
    query = parse_qs(urlparse(href).query)
    assert "learner" not in query
    return query["session"][0]


def first_unit() -> str:
    """The unit at index 1 of the form's list (index 0 is "— chọn đơn vị —")."""
    return load_course().units[0]


def second_context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    return context


def shows_nobody(page: Any, site: Any, wait: Callable[..., str], query: str, notebook: str) -> str:
    """Open ``notebook?query`` and check that no learner's records show; returns the refusal."""
    page.goto(site.render_url(notebook, query))
    wait(page, timeout=SLOW / 1000)
    refusal = page.locator(".nk-signin-error, .nk-session-ended, .nk-learner-refused").first
    refusal.wait_for(timeout=SLOW)
    html = page.content()
    assert NAME not in html and "Xin chào" not in html
    assert page.locator(".nk-progress, .nk-sign-out").count() == 0
    return refusal.inner_text()


@pytest.mark.slow
def test_a_second_browser_cannot_reach_another_learners_records(
    site: Any, page: Any, browser: Any, wait_for_voila: Callable[..., str]
) -> None:
    page.set_default_timeout(SLOW)
    sign_in(page, site, wait_for_voila, NAME)
    token = token_after_sign_in(page)
    page.locator(".nk-progress").wait_for()
    assert NAME in page.locator(".nk-progress").inner_text()
    entry = validate_sign_in(NAME, first_unit(), STAFF)
    derived = legacy_learner_id(None, entry.name_key, entry.unit_key)  # what the source used to give
    real = entry.learner_id(load_secret(site.data_dir))  # not derivable without the secret
    assert derived != real and real not in page.content() and real not in page.url

    other = second_context(browser)
    try:
        attacker = other.new_page()
        attacker.set_default_timeout(SLOW)
        for learner_id in (derived, real):
            for notebook in ("home.ipynb", "02-tong-quan.ipynb"):
                said = shows_nobody(attacker, site, wait_for_voila, f"learner={learner_id}", notebook)
                assert "?learner=" in said
        made_up = secrets.token_urlsafe(32)
        assert "kết thúc" in shows_nobody(attacker, site, wait_for_voila, f"session={made_up}", "home.ipynb")
        assert "kết thúc" in shows_nobody(attacker, site, wait_for_voila, f"session={real}", "home.ipynb")

        # the real token works from anywhere while it lives (it is the proof) ...
        attacker.goto(site.render_url("home.ipynb", f"session={token}"))
        wait_for_voila(attacker, timeout=SLOW / 1000)
        attacker.locator(".nk-progress").wait_for()

        # ... but not once it has expired ...
        with sqlite3.connect(site.data_dir / "records.sqlite") as conn:
            saved = conn.execute("SELECT expires_at FROM kiosk_sessions").fetchall()
            past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
            conn.execute("UPDATE kiosk_sessions SET expires_at = ?", (past,))
        said = shows_nobody(attacker, site, wait_for_voila, f"session={token}", "02-tong-quan.ipynb")
        assert "hết hạn" in said

        # ... nor once its learner has ended it ("Kết thúc")
        sign_in(page, site, wait_for_voila, NAME)
        fresh = token_after_sign_in(page)
        page.goto(site.render_url("home.ipynb", f"session={fresh}"))
        wait_for_voila(page, timeout=SLOW / 1000)
        page.locator("button.nk-sign-out").click()
        page.locator(".nk-signed-out").wait_for()
        # the learner's own screen keeps nothing of them: it goes to the sign-in form
        page.locator(".nk-signin").wait_for(timeout=SLOW)
        assert "session=" not in page.url and page.locator(".nk-progress").count() == 0
        shows_nobody(attacker, site, wait_for_voila, f"session={fresh}", "home.ipynb")
        assert saved  # there was a session row to expire
    finally:
        other.close()


@pytest.mark.slow
def test_pin_brute_force_stops_at_the_lockout(
    site: Any, page: Any, browser: Any, wait_for_voila: Callable[..., str]
) -> None:
    page.set_default_timeout(SLOW)
    victim = "Lò Văn Khoá"
    sign_in(page, site, wait_for_voila, victim)
    token_after_sign_in(page)

    other = second_context(browser)
    try:
        attacker = other.new_page()
        attacker.set_default_timeout(SLOW)
        attacker.goto(site.render_url("home.ipynb"))
        wait_for_voila(attacker, timeout=SLOW / 1000)
        form = attacker.locator(".nk-signin")
        error = form.locator(".nk-signin-error")
        for guess in ("000000", "111111", "222222", "333333", "444444", PIN):
            form.locator(".nk-name input").fill(victim)
            form.locator(".nk-unit select").select_option(index=1)
            form.get_by_text(STAFF, exact=True).click()
            form.locator(".nk-pin input").fill(guess)
            error.evaluate("el => { (el.querySelector('.widget-html-content') || el).innerHTML = '' }")
            form.locator(".nk-signin-submit").click()
            attacker.wait_for_function("el => el.innerText.trim() !== ''", arg=error.element_handle())
        assert "khoá" in error.inner_text()  # even the right PIN is refused while locked
        assert attacker.locator(".nk-progress").count() == 0 and "Xin chào" not in attacker.content()
    finally:
        other.close()
