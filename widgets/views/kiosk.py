"""The session controls of every page: "Kết thúc", the keep-alive, and the notice of a refused
address.

"Kết thúc" ends the session's token in the kernel (it stops working at once, in every tab).
On a kiosk the page script (``neuguong-session.js``) presses the hidden keep-alive button while
the learner is active and presses "Kết thúc" itself at the idle reset; once the kernel has
ended the session it marks the controls ``nk-signed-out`` and the script replaces the page with
the start screen. A page opened with a dead token shows ``nk-session-ended`` (which sends the
kiosk's script to the start screen as well), one opened with ``?learner=`` shows
``nk-learner-refused``: neither shows any learner's records.
"""

from __future__ import annotations

import logging

import ipywidgets as w

from widgets.i18n import t
from widgets.records.errors import RecordsError
from widgets.render.fragments import render
from widgets.runtime.kiosk import session_ttl
from widgets.runtime.lab import in_voila
from widgets.runtime.request import query_params
from widgets.session import LearnerSession
from widgets.views.context import LEARNER_PARAM, refusal
from widgets.views.sitelinks import HOME_NOTEBOOK

log = logging.getLogger(__name__)


class KioskControls(w.HBox):
    """The "Kết thúc" button (``nk-sign-out``) and the hidden keep-alive (``nk-kiosk-alive``)."""

    def __init__(self, session: LearnerSession) -> None:
        super().__init__(layout=w.Layout(justify_content="flex-end"))
        self.session = session
        self.sign_out = w.Button(description=t("home.sign_out"), tooltip=t("kiosk.sign_out_hint"))
        self.sign_out.add_class("nk-sign-out")
        self.sign_out.on_click(lambda _: self.end())
        self.alive = w.Button(description="", layout=w.Layout(display="none"))
        self.alive.add_class("nk-kiosk-alive")
        self.alive.on_click(lambda _: self.keep_alive())
        self.notice = w.HTML()
        self.children = [self.sign_out, self.alive, self.notice]
        self.add_class("nk-kiosk")

    def end(self) -> None:
        """Kết thúc: the token stops working, then the page script goes to the start screen."""
        try:
            self.session.end()
        except RecordsError:  # the token still expires after the idle time
            log.exception("kiosk session not ended")
        self._signed_out()

    def keep_alive(self) -> None:
        """The learner is active: slide the token's expiry (an ended token signs the page out)."""
        try:
            live = self.session.keep_alive(session_ttl())
        except RecordsError:
            log.exception("kiosk session not kept alive")
            return
        if not live:
            self._signed_out()

    def _signed_out(self) -> None:
        self.sign_out.disabled = True
        self.alive.disabled = True
        self.notice.value = render("notice", text=t("session.signed_out"), kind="info", href=HOME_NOTEBOOK)
        self.add_class("nk-signed-out")


def kiosk_bar(session: LearnerSession | None) -> w.Widget | None:
    """What a page adds: the controls of a live session, the notice of a refused address;
    ``None`` for a guest and in JupyterLab (whose home notebook has its own "Kết thúc")."""
    if session is not None and session.token is not None:
        return KioskControls(session) if in_voila() else None
    message = refusal(session)
    if message is None:
        return None
    notice = w.HTML(render("notice", text=message, kind="warning", href=HOME_NOTEBOOK))
    refused_learner = LEARNER_PARAM in query_params()
    notice.add_class("nk-learner-refused" if refused_learner else "nk-session-ended")
    notice.add_class("nk-signin-error")
    return notice
