"""The sign-in form: họ và tên, đơn vị, chức vụ/nhóm, optional mã cán bộ, and a PIN (set with
its confirmation the first time, ``nk-pin`` and ``nk-pin-confirm``). Refusals (a wrong PIN, a
lockout, a bad field, a refused address) show in ``nk-signin-error``.

Under JupyterHub (``hub_user`` given) the same form fills the Hub user's profile once: name,
unit and role only, no staff code and no PIN (the Hub proved who they are)."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from widgets.i18n import t
from widgets.records import hub
from widgets.records.errors import RecordsError, SignInError
from widgets.records.identity import ROLES
from widgets.records.models import Learner
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.runtime.sync import FrontEndBarrier, when_synced

OTHER_UNIT = t("signin.other_unit")
"""The unit that opens a free-text field ("Khác"; units.yml usually lists it last)."""
TYPED_MARK = t("signin.typed_mark")
"""Without an explicit ``typed`` list, a unit whose name holds this ("(ghi tên)") opens a field
for its own name (units.yml ``typed: true``, e.g. "UBND xã/phường (ghi tên)")."""
SignedIn = Callable[[Learner], None]


class SignInForm(w.VBox):
    """Validates through the store (which refuses bad input with a Vietnamese message)."""

    def __init__(
        self,
        store: Store | None,
        units: tuple[str, ...],
        *,
        barrier: FrontEndBarrier | None = None,
        typed: tuple[str, ...] | None = None,
        hub_user: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.hub_user = hub_user
        """The JupyterHub user whose profile this form fills (``None``: the PIN sign-in)."""
        self._callbacks: list[SignedIn] = []
        self.name = w.Text(description=t("signin.name"), layout=w.Layout(width="100%"))
        self.name.add_class("nk-name")
        choices = units if OTHER_UNIT in units else (*units, OTHER_UNIT)
        self.typed = frozenset(typed if typed is not None else (u for u in units if TYPED_MARK in u))
        """Choices whose unit the learner types (stored as typed), besides "Khác"."""
        self.unit = w.Dropdown(
            options=[t("signin.choose_unit"), *choices], index=0, description=t("signin.unit")
        )
        self.unit.add_class("nk-unit")
        self.unit_other = w.Text(
            description=t("signin.unit_other"), layout=w.Layout(width="100%", display="none")
        )
        self.unit_other.add_class("nk-unit-other")
        self.unit.observe(self._toggle_other, names="index")
        self.role = w.RadioButtons(options=list(ROLES), index=None, description=t("signin.role"))
        self.role.add_class("nk-role")
        self.code = w.Text(description=t("signin.code"))
        self.code.add_class("nk-code")
        self.pin = w.Password(description=t("signin.pin"))
        self.pin.add_class("nk-pin")
        self.pin_confirm = w.Password(description=t("signin.pin_confirm"))
        self.pin_confirm.add_class("nk-pin-confirm")
        self.pin_help = w.HTML(render("message", text=t("signin.pin_help"), kind="info"))
        self.pin_help.add_class("nk-pin-help")
        self.submit = w.Button(description=t("signin.submit"), button_style="primary")
        self.submit.add_class("nk-signin-submit")
        self.submit.on_click(when_synced(self.sign_in, barrier))  # the whole name, not its start
        self.message = w.HTML()
        self.message.add_class("nk-signin-message")
        self.message.add_class("nk-signin-error")
        heading = w.HTML(render("signin_heading"))
        if hub_user is not None:  # the profile, once: no staff code, no PIN
            heading.value = render("signin_hub_heading", user=hub_user)
            self.submit.description = t("signin.hub_submit")
        self.children = [
            heading,
            self.name,
            self.unit,
            self.unit_other,
            self.role,
            self.code,
            self.pin,
            self.pin_confirm,
            self.pin_help,
            self.submit,
            self.message,
        ]
        if hub_user is not None:
            hidden = (self.code, self.pin, self.pin_confirm, self.pin_help)
            self.children = [child for child in self.children if child not in hidden]
            self.add_class("nk-hub-profile")
        self.add_class("nk-signin")

    def on_signed_in(self, callback: SignedIn) -> None:
        self._callbacks.append(callback)

    def sign_in(self) -> Learner | None:
        """What pressing "Vào học" does: the PIN-checked sign-in; returns the learner, or
        ``None`` with a message shown. The PIN fields are emptied after every press."""
        if self.store is None:
            self.refuse(t("signin.unavailable"))
            return None
        if not self.unit.index:
            self.refuse(t("signin.need_unit"))
            return None
        unit = self.unit_other.value if self._asks_name() else self.unit.value
        pin, confirm = self.pin.value, self.pin_confirm.value
        self.pin.value = ""
        self.pin_confirm.value = ""
        try:
            if self.hub_user is not None:
                learner = hub.save_hub_profile(
                    self.store, self.hub_user, self.name.value, unit, self.role.value or ""
                )
            else:
                learner = self.store.authenticate(
                    self.name.value, unit, self.role.value or "", self.code.value or None, pin, confirm
                )
        except SignInError as error:
            self.refuse(str(error))
            return None
        except RecordsError:
            self.refuse(t("signin.unavailable"))
            return None
        self.message.value = ""
        for callback in list(self._callbacks):
            callback(learner)
        return learner

    def refuse(self, message: str) -> None:
        """Show ``message`` as the form's error (sent afresh, so a repeated refusal shows again)."""
        self.message.value = ""
        self.message.value = render("message", text=message, kind="error")
        return None

    def _toggle_other(self, change: dict[str, object]) -> None:
        self.unit_other.layout.display = None if self._asks_name() else "none"
        typed = self.unit.value in self.typed
        self.unit_other.description = t("signin.unit_typed" if typed else "signin.unit_other")

    def _asks_name(self) -> bool:
        return self.unit.value == OTHER_UNIT or self.unit.value in self.typed
