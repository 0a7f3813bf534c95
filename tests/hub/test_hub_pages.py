"""The learner site's pages under JupyterHub (the Hub user set as the server's environment sets
it): the profile form once, without PIN or staff code; then the Hub user's own records on every
visit, whatever the address carries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import ipywidgets as w
import pytest
from signing import PIN
from views.state import visible_html, widget_tree

from widgets.records import hub
from widgets.records.identity import STAFF
from widgets.records.store import open_store
from widgets.runtime import hub as runtime_hub
from widgets.views.home import HomePage, home_page
from widgets.views.module import module_page

NAME_A, NAME_B, UNIT = "Lò Văn An", "Cầm Thị Bình", "Sở Nội vụ"


def classes(root: w.Widget) -> set[str]:
    return {c for widget in widget_tree(root) for c in getattr(widget, "_dom_classes", ())}


def as_hub_user(monkeypatch: pytest.MonkeyPatch, user: str | None, query: str = "") -> None:
    """This server's Hub user, as JupyterHub's spawner puts it in the environment."""
    monkeypatch.setattr(runtime_hub, "_SERVER_USER", user)
    monkeypatch.setenv("QUERY_STRING", query)


def fill_profile(page: HomePage, name: str) -> None:
    assert page.form is not None
    page.form.name.value = name
    page.form.unit.index = 1
    page.form.role.index = 1
    assert page.form.sign_in() is not None, visible_html(page)


def test_profile_once_without_pin_then_the_hub_users_own_records(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_hub_user(monkeypatch, "an")
    first = home_page()
    found = classes(first)
    assert {"nk-signin", "nk-hub-profile", "nk-name", "nk-unit", "nk-role", "nk-signin-submit"} <= found
    assert not found & {"nk-pin", "nk-pin-confirm", "nk-code", "nk-progress"}  # no PIN is asked
    assert "«an»" in visible_html(first)
    fill_profile(first, NAME_A)
    assert "nk-progress" in classes(first) and NAME_A in visible_html(first)

    store = open_store()
    learner = hub.hub_learner(store, "an")
    assert learner is not None and learner.full_name == NAME_A
    again = home_page()  # the next visit: straight to the learner's home, no form
    assert "nk-signin" not in classes(again)
    html = visible_html(again)
    assert NAME_A in html and "session=" not in html and learner.id not in html  # links name nobody

    module = module_page("tong-quan")
    assert "nk-signin" not in classes(module) and "session=" not in visible_html(module)


def test_no_address_or_token_changes_the_hub_user(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A's server shows A's records whatever the address says: another learner's live token,
    their ID, or a user name in the query; ``?learner=`` is refused as everywhere."""
    store = open_store()
    other = store.authenticate(NAME_B, UNIT, STAFF, None, PIN, PIN)
    token = store.open_session(other.id, timedelta(hours=1))
    as_hub_user(monkeypatch, "an")
    fill_profile(home_page(), NAME_A)

    for query in (f"session={token}", "JUPYTERHUB_USER=binh", "hub_user=binh&user=binh"):
        as_hub_user(monkeypatch, "an", query)
        html = visible_html(home_page())
        assert NAME_A in html and NAME_B not in html, query
    as_hub_user(monkeypatch, "an", f"learner={other.id}")
    refused = home_page()
    assert NAME_A not in visible_html(refused) and NAME_B not in visible_html(refused)
    assert "?learner=" in visible_html(refused)

    as_hub_user(monkeypatch, "binh", f"session={token}")  # another Hub user: their own empty profile
    page = home_page()
    assert "nk-hub-profile" in classes(page)
    assert NAME_A not in visible_html(page) and NAME_B not in visible_html(page)


def test_without_a_hub_the_pin_form_is_unchanged(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_hub_user(monkeypatch, None)
    found = classes(home_page())
    assert {"nk-pin", "nk-pin-confirm", "nk-code"} <= found and "nk-hub-profile" not in found
