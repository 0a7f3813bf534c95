"""The kiosk's session controls: "Kết thúc", the keep-alive, and the notice of an ended session.

The page script (``neuguong-session.js``, kiosk mode) presses the hidden keep-alive button
while the learner is active and presses "Kết thúc" itself at the idle reset; once the kernel
has ended the session it marks the controls ``nk-signed-out`` and the script replaces the page
with the start screen. A kiosk page opened with a dead token shows ``nk-session-ended``
instead, which sends the script to the start screen as well.
"""

from __future__ import annotations

import logging

import ipywidgets as w

from widgets.i18n import t
from widgets.records.errors import RecordsError
from widgets.session import LearnerSession
from widgets.site.kiosk import session_ttl
from widgets.views.context import ended_kiosk_session
from widgets.views.fragments import render
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
        self.children = [self.sign_out, self.alive]
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
        self.add_class("nk-signed-out")


def kiosk_bar(session: LearnerSession | None) -> w.Widget | None:
    """What a kiosk page adds: the controls of a live session, the notice of an ended one;
    ``None`` on the desk site and for a guest."""
    if session is not None and session.kiosk_token is not None:
        return KioskControls(session)
    if ended_kiosk_session(session):
        notice = w.HTML(render("notice", text=t("kiosk.ended"), kind="warning", href=HOME_NOTEBOOK))
        notice.add_class("nk-session-ended")
        return notice
    return None
