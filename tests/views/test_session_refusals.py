"""Every page of the desk site refuses ``?learner=`` and a made-up, ended or expired session
token: it says so in Vietnamese and shows nobody's records. A live token opens the learner's."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ipywidgets as w
import pytest
import sqlalchemy as sa
from signing import PIN

from widgets.records.identity import STAFF, legacy_learner_id, validate_sign_in
from widgets.records.schema import kiosk_sessions
from widgets.records.store import open_store
from widgets.views.certificate import certificate_page
from widgets.views.home import home_page
from widgets.views.module import module_page
from widgets.views.reference import directive_page, glossary_page
from widgets.views.search import search_page

from .state import visible_html, widget_tree

NAME, UNIT = "Điêu Thị Bảo Mật", "Sở Nội vụ"
PAGES: dict[str, Callable[[], w.Widget]] = {
    "home": home_page,
    "module": lambda: module_page("tong-quan"),
    "glossary": glossary_page,
    "directive": directive_page,
    "search": search_page,
    "certificate": certificate_page,
}


def classes(root: w.Widget) -> set[str]:
    return {c for widget in widget_tree(root) for c in getattr(widget, "_dom_classes", ())}


def shows_nobody(monkeypatch: pytest.MonkeyPatch, query: str, page: Callable[[], w.Widget]) -> str:
    monkeypatch.setenv("QUERY_STRING", query)
    root = page()
    html = visible_html(root)
    assert NAME not in html and "Xin chào" not in html
    assert not classes(root) & {"nk-progress", "nk-sign-out", "nk-kiosk"}
    assert classes(root) & {"nk-signin-error", "nk-session-ended", "nk-learner-refused"}
    return html


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_refuses_learner_ids_and_dead_tokens(
    site: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    store = open_store()
    learner = store.authenticate(NAME, UNIT, STAFF, None, PIN, PIN)
    entry = validate_sign_in(NAME, UNIT, STAFF)
    page = PAGES[name]

    live = store.open_session(learner.id, timedelta(hours=1))
    monkeypatch.setenv("QUERY_STRING", f"session={live}")
    assert f"session={live}" in visible_html(page())  # the links carry the token ...
    for learner_id in (learner.id, legacy_learner_id(None, entry.name_key, entry.unit_key)):
        html = shows_nobody(monkeypatch, f"learner={learner_id}", page)
        assert "?learner=" in html  # ... an address with a learner ID is refused, and says why
        assert "?learner=" in shows_nobody(monkeypatch, f"learner={learner_id}&session={live}", page)
    assert "không có thật" in shows_nobody(monkeypatch, f"session={secrets.token_urlsafe(32)}", page)

    store.end_session(live, learner.id)  # Kết thúc
    shows_nobody(monkeypatch, f"session={live}", page)
    expired = store.open_session(learner.id, timedelta(hours=1))
    with store.engine.begin() as conn:
        conn.execute(sa.update(kiosk_sessions).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    shows_nobody(monkeypatch, f"session={expired}", page)
