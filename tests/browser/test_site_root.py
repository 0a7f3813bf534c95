"""The bare address of each mode opens a working page: learner and kiosk their home page,
trainer its dashboard (``widgets/site/app.py`` redirects ``/``); an error page leads home."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from console_allowlist import BUNDLED, warned_modules

REPO = Path(__file__).resolve().parents[2]
SLOW_MS = 180_000


@pytest.mark.parametrize(
    ("mode", "folder", "home", "selector"),
    [
        ("learner", "learner", "home.ipynb", ".nk-signin"),
        ("kiosk", "learner", "home.ipynb", ".nk-signin"),
        ("trainer", "trainer", "dashboard.ipynb", ".nk-dashboard-filters"),
    ],
)
def test_the_bare_address_opens_the_modes_home(
    start_voila: Callable[..., Any],
    page: Any,
    network: Any,
    wait_for_voila: Callable[..., str],
    mode: str,
    folder: str,
    home: str,
    selector: str,
) -> None:
    server = start_voila(mode, root_dir=REPO / "notebooks" / folder, env={"NEUGUONG_PREHEAT": "0"})
    bare = f"http://127.0.0.1:{server.port}"  # no path at all, as typed in the address bar
    if server.token:  # the trainer opens its site once with the token, as documented
        bare += f"/?token={server.token}"

    page.goto(bare, timeout=SLOW_MS)

    page.wait_for_url(lambda url: urlsplit(url).path == f"/voila/render/{home}", timeout=SLOW_MS)
    wait_for_voila(page, timeout=SLOW_MS / 1000)
    page.locator(selector).first.wait_for(state="visible", timeout=SLOW_MS)
    assert network.bad_responses == []
    if server.token:
        assert parse_qs(urlsplit(page.url).query)["token"] == [server.token]  # query kept


def test_error_page_leads_home_with_the_learner(
    start_voila: Callable[..., Any], page: Any, network: Any, wait_for_voila: Callable[..., str]
) -> None:
    server = start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})
    # The 404 of the missing page itself is what this test asks for.
    network.expect_console(r"^error: Failed to load resource: the server responded with a status of 404")

    page.goto(server.render_url("khong-co.ipynb", "learner=abc&x=1"), timeout=SLOW_MS)
    assert page.locator("h1").inner_text() == "Không tìm thấy trang"
    page.get_by_role("link", name="Về trang chủ").click()

    page.wait_for_url(lambda url: urlsplit(url).path == "/voila/render/home.ipynb", timeout=SLOW_MS)
    assert parse_qs(urlsplit(page.url).query) == {"learner": ["abc"]}
    wait_for_voila(page, timeout=SLOW_MS / 1000)


def test_the_console_allowlist_is_exactly_what_a_page_warns(
    learner_site: Any, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    """Every allowed module does warn (the list is not stale), and nothing else is allowed
    (the ``page`` fixture fails on any other error or warning)."""
    messages: list[str] = []
    page.on("console", lambda msg: messages.append(msg.text) if msg.type == "warning" else None)

    page.goto(learner_site.render_url("other.ipynb"), timeout=SLOW_MS)
    wait_for_voila(page, timeout=SLOW_MS / 1000)

    assert warned_modules(messages) == set(BUNDLED)
