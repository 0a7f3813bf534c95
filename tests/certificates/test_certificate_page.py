"""The certificate page on a real SQLite store: locked until passed, pledge, then certificate."""

from __future__ import annotations

import base64
import io
import re
import unicodedata
from pathlib import Path

import ipywidgets as w
import pytest
from pypdf import PdfReader
from signing import session_query

from widgets.engine.results import AnswerResult, QuizResult
from widgets.records.identity import STAFF
from widgets.records.policy import FINAL_ID
from widgets.records.store import Store, open_store
from widgets.views.certificate import CertificatePage, CertificateView, PledgeForm, certificate_page

NAME = "Nguyễn Thị Hồng Nhung"


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in PDF for tests about the page, not the PDF (fpdf2 takes ~1 s per build)."""
    import widgets.views.certificate as view_module

    monkeypatch.setattr(view_module, "certificate_pdf", lambda *_, **__: b"%PDF-1.4 stand-in")


def learner(
    monkeypatch: pytest.MonkeyPatch, *, passed: bool, name: str = NAME, unit: str = "Sở Nội vụ"
) -> tuple[Store, str]:
    """A signed-in learner (named in the URL) who did, or did not, pass the final assessment."""
    store = open_store()
    person = store.sign_in(name, unit, STAFF)
    attempt = store.start_attempt(person.id, FINAL_ID)
    answer = AnswerResult("q1", "a", 1.0 if passed else 0.0, 1.0, passed, (), ())
    store.record_answer(person.id, attempt.id, FINAL_ID, answer, module_id="tong-quan")
    store.finish_quiz(person.id, QuizResult(FINAL_ID, attempt.id, (answer,), 80))
    monkeypatch.setenv("QUERY_STRING", session_query(store, person.id))
    return store, person.id


def find(root: w.Widget, kind: type) -> list:
    found, stack = [], [root]
    while stack:
        widget = stack.pop()
        if isinstance(widget, kind):
            found.append(widget)
        stack.extend(getattr(widget, "children", ()) or ())
    return found


def html_of(root: w.Widget) -> str:
    return " ".join(widget.value for widget in find(root, w.HTML))


def test_signed_out_is_sent_home(site: Path) -> None:
    page = certificate_page()
    assert "đăng nhập" in html_of(page) and 'href="home.ipynb"' in html_of(page)
    assert not find(page, PledgeForm) and not find(page, CertificateView)


def test_not_passed_gets_a_message_and_a_link_home(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, learner_id = learner(monkeypatch, passed=False)
    page = certificate_page()
    html = html_of(page)
    assert "bài kiểm tra tổng hợp" in html and 'href="home.ipynb?session=' in html and learner_id not in html
    assert not find(page, PledgeForm) and "nk-certificate" not in html


def test_pledge_then_certificate(site: Path, monkeypatch: pytest.MonkeyPatch, quick_pdf: None) -> None:
    store, learner_id = learner(monkeypatch, passed=True)
    page = certificate_page()
    assert isinstance(page, CertificatePage)
    [form] = find(page, PledgeForm)
    assert "nk-pledge" in form._dom_classes
    text = form.text.value
    assert "Tôi cam kết" in text and NAME in text and "Sở Nội vụ" in text
    assert re.search(r"Ngày: \d{2}/\d{2}/\d{4}", text)
    assert not find(page, CertificateView)

    form.submit.click()  # not ticked: refused, nothing recorded
    assert "Tôi đồng ý" in form.message.value and store.pledge(learner_id) is None

    form.agree.value = True
    form.submit.click()
    pledge = store.pledge(learner_id)
    assert pledge is not None and pledge.text.startswith("Tôi cam kết") and pledge.full_name == NAME
    [view] = find(page, CertificateView)
    assert "nk-certificate" in view.sheet._dom_classes
    certificate = store.certificate(learner_id)
    assert certificate is not None
    assert f'<span class="nk-cert-code">{certificate.code}</span>' in view.sheet.value
    assert "GIẤY CHỨNG NHẬN HOÀN THÀNH" in view.sheet.value and NAME in view.sheet.value
    assert "neuguong verify" not in view.sheet.value  # no command on the issuing machine
    assert "Xác minh chứng nhận" in view.sheet.value and "quét mã QR" in view.sheet.value
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in view.sheet.value and "<svg" in view.sheet.value
    assert "Độc lập - Tự do - Hạnh phúc" in view.sheet.value and "(Ký tên, đóng dấu)" in view.sheet.value
    assert store.verify_certificate(certificate.code).valid


def test_return_visit_shows_the_same_certificate_print_and_pdf(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, learner_id = learner(monkeypatch, passed=True)
    store.record_pledge(learner_id, "Tôi cam kết …")
    first = store.issue_certificate(learner_id)
    page = certificate_page()
    assert not find(page, PledgeForm)
    [view] = find(page, CertificateView)
    assert view.certificate.code == first.code
    actions = view.actions.value
    assert 'class="nk-print"' in actions and "In giấy chứng nhận" in actions
    match = re.search(
        r'<a class="nk-download" download="chung-nhan\.pdf" href="data:application/pdf;base64,([^"]+)"',
        actions,
    )
    assert match, actions[:300]
    data = base64.b64decode(match.group(1))
    assert data.startswith(b"%PDF") and len(data) < 200_000
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert NAME in text and first.code in text


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("Lò O'Brien", "<script>alert(1)</script>"),
        (unicodedata.normalize("NFD", "Lò Văn Ếch"), 'Trạm "Y tế" & <b>xã</b>'),
    ],
)
def test_what_the_learner_typed_is_shown_escaped_and_nfc(
    site: Path, monkeypatch: pytest.MonkeyPatch, quick_pdf: None, name: str, unit: str
) -> None:
    learner(monkeypatch, passed=True, name=name, unit=unit)
    page = certificate_page()
    [form] = find(page, PledgeForm)
    assert "<script>" not in form.text.value and "<b>" not in form.text.value
    form.agree.value = True
    form.submit.click()
    [view] = find(page, CertificateView)
    html = html_of(page)
    assert "<script>" not in html and "<b>xã" not in html
    assert unicodedata.normalize("NFC", name).replace("'", "&#39;") in view.sheet.value
    if "script" in unit:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view.sheet.value
    else:
        assert "Trạm &#34;Y tế&#34; &amp; &lt;b&gt;xã&lt;/b&gt;" in view.sheet.value


def test_pdf_failure_still_shows_the_printable_page(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import widgets.views.certificate as view_module

    def broken(*_: object, **__: object) -> bytes:
        raise RuntimeError("no font")

    store, learner_id = learner(monkeypatch, passed=True)
    store.record_pledge(learner_id, "Tôi cam kết …")
    monkeypatch.setattr(view_module, "certificate_pdf", broken)
    [view] = find(certificate_page(), CertificateView)
    assert "nk-cert-code" in view.sheet.value and "nk-download" not in view.actions.value
    assert "in trang này" in view.actions.value
