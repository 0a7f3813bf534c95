"""Signing in as the tests need it: with a PIN (set the first time, with its confirmation),
and page addresses that carry a session token (``?session=``), never a learner ID.

Shared by the view, records, certificate, knowledge, browser and scale tests.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from widgets.records.store import Store

PIN = "246810"
"""The PIN every test learner sets at first sign-in."""
TTL = timedelta(hours=1)


def fill_form(form: Any, name: str, *, unit: int = 1, role: int = 1, pin: str = PIN, code: str = "") -> Any:
    """Fill a :class:`widgets.views.signin.SignInForm` (PIN and confirmation) and press it."""
    form.name.value = name
    form.unit.index = unit
    form.role.index = role
    form.code.value = code
    form.pin.value = pin
    form.pin_confirm.value = pin
    return form.sign_in()


def session_query(store: Store, learner_id: str) -> str:
    """A page's query string for a live session of ``learner_id``: ``session=<token>``."""
    return f"session={store.open_session(learner_id, TTL)}"


def fill_browser_form(form: Any, name: str, *, unit: int = 1, role: int = 1, pin: str = PIN) -> None:
    """Fill the sign-in form in a Playwright page (``form`` is the ``.nk-signin`` locator) and
    press "Vào học". The confirmation is filled too: a returning learner's is ignored."""
    form.locator(".nk-name input").fill(name)
    form.locator(".nk-unit select").select_option(index=unit)
    form.locator(".nk-role input[type=radio]").nth(role).check()
    form.locator(".nk-pin input").fill(pin)
    form.locator(".nk-pin-confirm input").fill(pin)
    form.locator(".nk-signin-submit").click()


def fill_pin(form: Any, pin: str = PIN) -> None:
    """In a Playwright page, type the PIN and its confirmation into the sign-in form (``form``
    is the ``.nk-signin`` locator); a returning learner's confirmation is ignored."""
    form.locator(".nk-pin input").fill(pin)
    form.locator(".nk-pin-confirm input").fill(pin)
