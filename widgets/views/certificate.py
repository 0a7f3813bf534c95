"""Cam kết và giấy chứng nhận: the pledge (recorded, not scored), then the certificate.

Shown only to a signed-in learner who passed the final assessment. The certificate is a
printable sheet (``nk-certificate``; the site's print stylesheet prints it alone on A4) and a
PDF offered as a ``data:`` link, which works in Voila without the server's ``/files`` route.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable

import ipywidgets as w
from markupsafe import Markup

from widgets.certificates.pdf import certificate_pdf, qr_svg
from widgets.certificates.text import PDF_NAME, certificate_text, local_date, pledge_items, pledge_text
from widgets.content.model import Course
from widgets.engine.progress import Lock, LockedError, ModuleState, certificate_lock, requirements_for
from widgets.i18n import t
from widgets.records.errors import RecordsError
from widgets.records.models import Certificate, Pledge
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.runtime.sync import when_synced
from widgets.session import LearnerSession
from widgets.views.context import page_session
from widgets.views.kiosk import kiosk_bar
from widgets.views.locked import locked_html
from widgets.views.review import REVIEW_NOTEBOOK, due_clause_names
from widgets.views.sitelinks import HOME_NOTEBOOK, SiteLinks

log = logging.getLogger(__name__)


class PledgeForm(w.VBox):
    """``nk-pledge``: the pledge text with name, unit and date, "Tôi đồng ý" and a button."""

    def __init__(self, session: LearnerSession) -> None:
        super().__init__()
        self.session = session
        self._callbacks: list[Callable[[Pledge], None]] = []
        learner = session.learner
        directive = session.course.directive
        self.text = w.HTML(
            render(
                "pledge",
                name=learner.full_name,
                unit=learner.unit,
                date=local_date(session.store.clock()),
                lead=t("pledge.lead", directive=directive.number, issuer=directive.issuer),
                items=pledge_items(),
            )
        )
        self.agree = w.Checkbox(value=False, description=t("pledge.agree"), indent=False)
        self.agree.add_class("nk-pledge-agree")
        self.submit = w.Button(description=t("pledge.submit"), button_style="primary")
        self.submit.add_class("nk-pledge-submit")
        self.submit.on_click(when_synced(self.record))
        self.message = w.HTML()
        self.message.add_class("nk-pledge-message")
        self.children = [self.text, self.agree, self.submit, self.message]
        self.add_class("nk-pledge")

    def on_pledged(self, callback: Callable[[Pledge], None]) -> None:
        self._callbacks.append(callback)

    def record(self) -> Pledge | None:
        """Record the pledge if "Tôi đồng ý" is ticked; otherwise say why not."""
        if not self.agree.value:
            self.message.value = render("message", text=t("pledge.must_agree"), kind="warning")
            return None
        try:
            pledge = self.session.store.record_pledge(
                self.session.learner.id, pledge_text(self.session.course)
            )
        except RecordsError as error:
            self.message.value = render("message", text=str(error), kind="error")
            return None
        self.submit.disabled = self.agree.disabled = True
        for callback in self._callbacks:
            callback(pledge)
        return pledge


def pdf_link_data(certificate: Certificate, course: Course) -> str | None:
    """The certificate PDF in base64 for a ``data:`` link, or ``None`` if it cannot be made."""
    try:
        data = certificate_pdf(certificate_text(certificate, course), issued_at=certificate.issued_at)
    except Exception:  # a missing font or an fpdf2 error must not hide the printable page
        log.exception("certificate PDF not built")
        return None
    return base64.b64encode(data).decode("ascii")


PRINTABLE = {"overflow": "visible"}
"""Boxes around the sheet must not clip it when the print stylesheet lifts it out."""


class CertificateView(w.VBox):
    """The certificate sheet (``nk-certificate``, code in ``nk-cert-code``), print and PDF."""

    def __init__(self, certificate: Certificate, course: Course, pledge: Pledge | None) -> None:
        super().__init__(layout=w.Layout(**PRINTABLE))
        self.certificate = certificate
        text = certificate_text(certificate, course)
        self.sheet = w.HTML(render("certificate", text=text, qr=Markup(qr_svg(text.verify_url))))
        self.sheet.add_class("nk-certificate")
        pledged = t("pledge.recorded", date=local_date(pledge.pledged_at)) if pledge else ""
        self.actions = w.HTML(
            render(
                "certificate_actions",
                pledged=pledged,
                pdf=pdf_link_data(certificate, course),
                filename=PDF_NAME,
            )
        )
        self.actions.add_class("nk-cert-actions-row")
        self.children = [self.sheet, self.actions]


class CertificatePage(w.VBox):
    """Not passed → a message and a link home; else the pledge, then the certificate."""

    def __init__(
        self, course: Course, store: Store | None, session: LearnerSession | None, links: SiteLinks
    ) -> None:
        super().__init__(layout=w.Layout(**PRINTABLE))
        self.course = course
        self.session = session
        self.links = links
        self.body = w.VBox(layout=w.Layout(**PRINTABLE))
        self.body.add_class("nk-certificate-body")
        header = w.HTML(render("header", course=course, title=t("certificate.title"), summary=""))
        self.children = [header, links.nav("certificate"), self.body]
        self.add_class("nk-page")
        self.add_class("nk-certificate-page")
        if store is None:
            self._notice(t("signin.unavailable"), "error")
        elif session is None:
            states = {req.module_id: ModuleState.NOT_STARTED for req in requirements_for(course)}
            lock = certificate_lock(states, final_passed=False, pledged=False, signed_in=False)
            assert lock is not None
            self._locked(lock)
        else:
            self.show()

    def show(self) -> None:
        """The step the learner is at: not passed, pledge, or certificate."""
        assert self.session is not None
        progress = self.session.progress()
        lock = progress.certificate_lock()
        if not progress.final.passed and lock is not None:
            self._locked(lock)
        elif progress.pledge is None:
            form = PledgeForm(self.session)
            form.on_pledged(lambda _: self.show())
            self.body.children = [form]
        else:
            self._certificate(progress.pledge)

    def _certificate(self, pledge: Pledge) -> None:
        assert self.session is not None
        try:
            certificate = self.session.issue_certificate()
        except LockedError as error:
            self._locked(error.lock)
            return
        except RecordsError:
            log.exception("certificate not issued")
            self._notice(t("certificate.error"), "error")
            return
        self.body.children = [CertificateView(certificate, self.course, pledge), *self._review_due()]

    def _review_due(self) -> list[w.Widget]:
        """Clauses fallen back to "cần ôn" (issue 20): named, with a link to "Ôn tập"; the
        certificate itself stays as issued."""
        assert self.session is not None
        try:
            names = due_clause_names(self.session)
        except RecordsError:
            log.exception("review dates not read")
            return []
        if not names:
            return []
        box = w.HTML(render("review_due", names=names, review_href=self.links.page(REVIEW_NOTEBOOK)))
        box.add_class("nk-cert-review-due")
        return [box]

    def _locked(self, lock: Lock) -> None:
        """What remains before the certificate (``nk-locked``), each step linked."""
        notice = w.HTML(locked_html(lock, self.course, self.links, lead="locked.certificate_lead"))
        notice.add_class("nk-certificate-notice")
        self.body.children = [notice]

    def _notice(self, text: str, kind: str) -> None:
        notice = w.HTML(render("notice", text=text, kind=kind, href=self.links.page(HOME_NOTEBOOK)))
        notice.add_class("nk-certificate-notice")
        self.body.children = [notice]


def certificate_page(course: Course | None = None) -> CertificatePage:
    """The pledge and certificate page for the learner named in the URL."""
    course, store, session = page_session(course)
    page = CertificatePage(course, store, session, SiteLinks.of(session))
    if bar := kiosk_bar(session):
        header, nav, *rest = page.children
        page.children = [header, nav, bar, *rest]
    return page
