"""Xác minh chứng nhận: anyone, signed in or not, enters a certificate's code and sees whether
it is valid; when it is, only the name, the unit, the date and the course (nothing else about
the learner). The QR code on the PDF opens this page with ``?code=`` filled in and checked.
"""

from __future__ import annotations

import ipywidgets as w

from widgets.certificates.settings import VERIFY_NOTEBOOK
from widgets.certificates.text import local_date
from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.i18n import t
from widgets.records.certificates import normalise_code
from widgets.records.errors import CodeFormatError, RecordsError
from widgets.records.models import Verification
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.runtime.request import query_params
from widgets.runtime.sync import when_synced
from widgets.views.context import records_store
from widgets.views.sitelinks import SiteLinks

CODE_PARAM = "code"
"""``xac-minh.ipynb?code=NG-XXXX-XXXX``: the address the certificate's QR code holds."""


__all__ = ["CODE_PARAM", "VERIFY_NOTEBOOK", "VerifyPage", "verify_page"]


class VerifyPage(w.VBox):
    """``nk-verify-code`` and ``nk-verify-submit``; the answer in ``nk-verify-result``, which
    gets ``nk-valid`` or ``nk-invalid``."""

    def __init__(self, course: Course, store: Store | None, code: str = "") -> None:
        super().__init__()
        self.course = course
        self.store = store
        header = w.HTML(render("header", course=course, title=t("verify.title"), summary=""))
        lead = w.HTML(render("message", text=t("verify.lead"), kind="info"))
        self.code = w.Text(value=code, placeholder="NG-XXXX-XXXX", description=t("verify.code"))
        self.code.style.description_width = "initial"
        self.code.add_class("nk-verify-code")
        self.submit = w.Button(description=t("verify.submit"), button_style="primary")
        self.submit.add_class("nk-verify-submit")
        self.submit.on_click(when_synced(self.check))
        self.result = w.HTML()
        self.result.add_class("nk-verify-result")
        form = w.HBox([self.code, self.submit])
        form.add_class("nk-verify-form")
        self.children = [header, SiteLinks().nav(""), lead, form, self.result]
        self.add_class("nk-page")
        self.add_class("nk-verify")
        if code.strip():
            self.check()

    def check(self) -> Verification | None:
        """Look the typed code up and show the answer; the verification, if one was made."""
        for name in ("nk-valid", "nk-invalid"):
            self.result.remove_class(name)
        typed = self.code.value
        verification = None
        try:
            normalise_code(typed)
        except CodeFormatError:
            text = t("verify.bad_format")
        else:
            try:
                verification = self._verify(typed)
            except (RecordsError, OSError):
                verification = None
            text = t("verify.unavailable") if verification is None else t("verify.invalid")
        if verification is not None and verification.valid and verification.certificate is not None:
            cert = verification.certificate
            self.result.value = render(
                "verify_result",
                lead=t("verify.valid"),
                rows=[
                    (t("verify.name"), cert.full_name),
                    (t("verify.unit"), cert.unit),
                    (t("verify.date"), local_date(cert.issued_at)),
                    (t("verify.course"), self.course.title),
                ],
            )
            self.result.add_class("nk-valid")
        else:
            self.result.value = render("message", text=text, kind="warning")
            self.result.add_class("nk-invalid")
        return verification

    def _verify(self, code: str) -> Verification | None:
        return None if self.store is None else self.store.verify_certificate(code)


def verify_page(course: Course | None = None) -> VerifyPage:
    """The verification page; ``?code=`` (from the certificate's QR code) is checked at once."""
    return VerifyPage(course or load_course(), records_store(), query_params().get(CODE_PARAM, ""))
