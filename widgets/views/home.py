"""The home page: sign-in, the learner's progress and the module cards in order."""

from __future__ import annotations

import contextlib

import ipywidgets as w

from widgets.content.model import Course, Module, ModuleKind
from widgets.i18n import t
from widgets.records.errors import RecordsError
from widgets.records.models import Learner, Progress
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.runtime.hub import hub_user
from widgets.runtime.kiosk import session_ttl
from widgets.runtime.lab import forget_token, in_voila, remember_token
from widgets.session import LearnerSession
from widgets.views.context import page_session, refusal
from widgets.views.kiosk import kiosk_bar
from widgets.views.review import mastery_box
from widgets.views.rooms.join import JoinRoomBox
from widgets.views.signin import SignInForm
from widgets.views.sitelinks import CERTIFICATE_NOTEBOOK, HOME_NOTEBOOK, SiteLinks
from widgets.views.verify import VERIFY_NOTEBOOK


class HomePage(w.VBox):
    """Signed out: the sign-in form and the cards. Signed in: progress and the learner's cards."""

    def __init__(self, course: Course, store: Store | None, session: LearnerSession | None) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self.add_class("nk-page")
        self.add_class("nk-home")
        header = w.HTML(render("header", course=course, title=course.title, summary=course.directive.number))
        self.header = header
        self.form: SignInForm | None = None
        self._session: LearnerSession | None = None
        if session is None:
            form = self._show_sign_in()
            if message := refusal(None):
                form.refuse(message)  # ?learner=, or a dead token: shown, nobody's records
        else:
            self._show(session, redirect=False)

    def _show_sign_in(self) -> SignInForm:
        self.form = form = SignInForm(self.store, self.course.units, hub_user=hub_user())
        form.on_signed_in(self.show_learner)
        self.children = [self.header, SiteLinks().nav("home"), form, *self._cards(None, None)]
        return form

    def show_learner(self, learner: Learner) -> None:
        """After sign-in (the PIN checked): a new session, the learner's home, and a link
        (followed by the site) carrying the session's token, never the learner's ID."""
        assert self.store is not None
        if hub_user() is not None:  # the Hub authenticates every request: no token, no redirect
            self._show(LearnerSession(self.course, self.store, learner), redirect=False)
            return
        try:
            session = LearnerSession.start(self.course, self.store, learner, session_ttl())
        except RecordsError:
            if self.form is not None:
                self.form.refuse(t("signin.unavailable"))
            return
        lab = not in_voila()
        if lab and session.token is not None:  # no URL to carry the token: the other notebooks look here
            remember_token(self.store.data, session.token)
        self._show(session, redirect=not lab)

    def _show(self, session: LearnerSession, *, redirect: bool) -> None:
        progress = session.progress()
        links = SiteLinks.of(session)
        certificate = links.page(CERTIFICATE_NOTEBOOK) if progress.final.passed else None
        context = _progress_context(self.course, session.learner, progress)
        overview = w.HTML(render("progress", **context, certificate=certificate))
        overview.add_class("nk-progress")
        parts: list[w.Widget] = [self.header, links.nav("home")]
        # On a kiosk "Kết thúc" is a button at the top that ends the session in the kernel.
        controls = kiosk_bar(session)
        if controls is not None:
            parts.append(controls)
        if redirect:
            parts.append(w.HTML(render("redirect", href=links.page(HOME_NOTEBOOK))))
        parts += [overview, *_mastery(session), JoinRoomBox(session.store, session.learner.id)]
        parts += self._cards(session, progress)
        if controls is None and not in_voila():
            parts.append(self._lab_sign_out(session))
        self.children = parts

    def _lab_sign_out(self, session: LearnerSession) -> w.Button:
        """In JupyterLab, "Kết thúc" ends the session and shows the sign-in form again."""
        self._session = session
        button = w.Button(description=t("home.sign_out"))
        button.add_class("nk-sign-out")
        button.on_click(lambda _: self.sign_out_of_lab())
        return button

    def sign_out_of_lab(self) -> None:
        assert self.store is not None
        session = self._session
        if session is not None:
            with contextlib.suppress(RecordsError):  # the token still expires
                session.end()
        forget_token(self.store.data)
        self._show_sign_in()

    def _cards(self, session: LearnerSession | None, progress: Progress | None) -> list[w.Widget]:
        links = SiteLinks.of(session)
        cards: list[w.Widget] = [w.HTML(render("heading", text=t("home.modules")))]
        verify = w.HTML(render("verify_link", href=VERIFY_NOTEBOOK))  # public: no learner, no token
        verify.add_class("nk-verify-link")
        for number, module in enumerate(self.course.modules, start=1):
            state = _card_state(module, progress)
            href = None if state == "locked" else links.page(module.notebook)
            card = w.HTML(render("module_card", module=module, number=number, state=state, href=href))
            card.add_class("nk-module-card")
            card.add_class(f"nk-state-{state}")
            cards.append(card)
        return [*cards, verify]


def home_page(course: Course | None = None) -> HomePage:
    """The home page for the learner named in the URL (or the sign-in form)."""
    return HomePage(*page_session(course))


def _mastery(session: LearnerSession) -> list[w.Widget]:
    """The "Nắm vững" map (issue 20), or nothing if the records cannot be read."""
    try:
        return [mastery_box(session)]
    except RecordsError:
        return []


def _card_state(module: Module, progress: Progress | None) -> str:
    if progress is None:
        return "open"
    if module.kind is ModuleKind.ASSESSMENT:
        if progress.final.passed:
            return "complete"
        return "open" if progress.final_lock() is None else "locked"
    state = progress.states.get(module.id)
    return state.value if state is not None else "open"


def _progress_context(course: Course, learner: Learner, progress: Progress) -> dict[str, object]:
    modules = {m.id: m for m in course.modules}
    rows = [(modules[mid], state.value) for mid, state in progress.states.items() if mid in modules]
    done = sum(1 for _, state in rows if state == "complete")
    final = progress.final
    if final.passed and final.best is not None:
        final_line = t("home.final_passed", percent=round(final.best.percent or 0))
    elif progress.modules_complete:
        final_line = t("home.final_left", left=final.attempts_left_today)
    else:
        final_line = ""
    return {"learner": learner, "rows": rows, "done": done, "total": len(rows), "final_line": final_line}
