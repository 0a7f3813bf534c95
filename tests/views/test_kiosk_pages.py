"""Kiosk pages: links carry a session token, "Kết thúc" ends it, a dead token shows nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from signing import fill_form

from widgets.records.schema import kiosk_sessions, learners
from widgets.records.store import open_store
from widgets.views.home import HomePage, home_page
from widgets.views.kiosk import KioskControls
from widgets.views.module import module_page
from widgets.views.reference import glossary_page

from .state import visible_html, widget_tree

NAME = "Lò Thị Kiốt"


@pytest.fixture
def kiosk_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture_course_dir: Path) -> Path:
    monkeypatch.setenv("NEUGUONG_DATA", str(tmp_path))
    monkeypatch.delenv("NEUGUONG_DB_URL", raising=False)
    monkeypatch.setenv("NEUGUONG_CONTENT", str(fixture_course_dir))
    monkeypatch.setenv("NEUGUONG_SITE_MODE", "kiosk")
    monkeypatch.delenv("NEUGUONG_KIOSK_IDLE_SECONDS", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    return tmp_path


def sign_in() -> HomePage:
    page = home_page()
    assert page.form is not None
    assert fill_form(page.form, NAME) is not None
    return page


def only_learner_id() -> str:
    with open_store().engine.connect() as conn:
        return conn.execute(sa.select(learners.c.id)).scalar_one()


def controls(root) -> KioskControls:
    return next(w for w in widget_tree(root) if isinstance(w, KioskControls))


def token_of(page: HomePage) -> str:
    href = next(w.value for w in page.children if "nk-redirect" in str(getattr(w, "value", "")))
    query = parse_qs(urlparse(href.split('href="')[1].split('"')[0]).query)
    assert "learner" not in query
    return query["session"][0]


def open_with(monkeypatch: pytest.MonkeyPatch, query: str, page=module_page, *args: str):
    monkeypatch.setenv("QUERY_STRING", query)
    return page(*args)


def test_sign_in_gives_token_links_and_a_sign_out_button(kiosk_site: Path) -> None:
    page = sign_in()
    token = token_of(page)
    learner_id = only_learner_id()
    html = visible_html(page)

    assert f"session={token}" in html and learner_id not in html
    bar = controls(page)
    assert "nk-sign-out" in bar.sign_out._dom_classes and bar.sign_out.description == "Kết thúc"
    assert page.children.index(bar) < 4  # near the top, visible without scrolling


def test_token_opens_the_learners_pages_and_learner_id_does_not(
    kiosk_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_of(sign_in())
    learner_id = only_learner_id()

    module = open_with(monkeypatch, f"session={token}", module_page, "tong-quan")
    assert "module.sign_in_first" not in visible_html(module)
    assert f"session={token}" in visible_html(module) and isinstance(controls(module), KioskControls)
    assert NAME in visible_html(open_with(monkeypatch, f"session={token}", home_page))

    by_id = open_with(monkeypatch, f"learner={learner_id}", home_page)
    assert by_id.form is not None and NAME not in visible_html(by_id)


def test_sign_out_ends_the_token_everywhere(kiosk_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token = token_of(sign_in())
    module = open_with(monkeypatch, f"session={token}", module_page, "tong-quan")
    bar = controls(module)

    bar.sign_out.click()
    assert "nk-signed-out" in bar._dom_classes

    home = open_with(monkeypatch, f"session={token}", home_page)
    assert home.form is not None and NAME not in visible_html(home)
    assert not any(isinstance(w, KioskControls) for w in widget_tree(home))
    for page, args in ((module_page, ("tong-quan",)), (glossary_page, ())):
        shown = open_with(monkeypatch, f"session={token}", page, *args)
        html = visible_html(shown)
        assert NAME not in html and f"session={token}" not in html
        assert any("nk-session-ended" in getattr(w, "_dom_classes", ()) for w in widget_tree(shown))


def test_expired_token_shows_nobody_and_keep_alive_signs_the_page_out(
    kiosk_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = token_of(sign_in())
    module = open_with(monkeypatch, f"session={token}", module_page, "tong-quan")
    bar = controls(module)
    bar.alive.click()  # active: still live
    assert "nk-signed-out" not in bar._dom_classes

    past = datetime.now(UTC) - timedelta(seconds=1)
    with open_store().engine.begin() as conn:
        conn.execute(sa.update(kiosk_sessions).values(expires_at=past))
    bar.alive.click()
    assert "nk-signed-out" in bar._dom_classes
    home = open_with(monkeypatch, f"session={token}", home_page)
    assert home.form is not None and NAME not in visible_html(home)


def test_kiosk_token_expires_after_the_configured_idle_time(
    kiosk_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEUGUONG_KIOSK_IDLE_SECONDS", "40")
    before = datetime.now(UTC)
    sign_in()
    with open_store().engine.connect() as conn:
        expires = conn.execute(sa.select(kiosk_sessions.c.expires_at)).scalar_one()
    assert before + timedelta(seconds=40) <= expires <= datetime.now(UTC) + timedelta(seconds=40)


def test_desk_site_uses_the_same_tokens_and_refuses_learner_ids(
    kiosk_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEUGUONG_SITE_MODE", "learner")
    token = token_of(sign_in())
    learner_id = only_learner_id()

    desk = open_with(monkeypatch, f"session={token}", home_page)
    html = visible_html(desk)
    assert NAME in html and f"session={token}" in html and learner_id not in html
    assert isinstance(controls(desk), KioskControls)  # "Kết thúc" ends the token on the desk too
    refused = open_with(monkeypatch, f"learner={learner_id}", home_page)
    assert refused.form is not None and NAME not in visible_html(refused)
    assert "?learner=" in refused.form.message.value
