"""The public "Xác minh chứng nhận" page: no sign-in; a real code shows the name, unit, date and
course (and nothing else about the learner); a forged, mistyped or unknown code is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.engine.results import AnswerResult, QuizResult
from widgets.records.identity import STAFF
from widgets.records.models import Certificate
from widgets.records.policy import FINAL_ID
from widgets.records.store import open_store
from widgets.views.verify import VERIFY_NOTEBOOK, VerifyPage, verify_page

NAME, UNIT = "Hà Thị Duyên", "Sở Giáo dục và Đào tạo"


def issued() -> Certificate:
    store = open_store()
    learner = store.sign_in(NAME, UNIT, STAFF, "CB-4411")
    attempt = store.start_attempt(learner.id, FINAL_ID)
    answer = AnswerResult("q1", "a", 0.9, 1.0, True, (), ())
    store.record_answer(learner.id, attempt.id, FINAL_ID, answer, module_id="tong-quan")
    store.finish_quiz(learner.id, QuizResult(FINAL_ID, attempt.id, (answer,), 80))
    store.record_pledge(learner.id, "Tôi cam kết.")
    return store.issue_certificate(learner.id)


def classes(page: VerifyPage) -> set[str]:
    return set(page.result._dom_classes)


def test_the_page_has_the_named_controls(site: Path) -> None:
    page = verify_page()
    assert "nk-verify-code" in page.code._dom_classes
    assert "nk-verify-submit" in page.submit._dom_classes
    assert "nk-verify-result" in page.result._dom_classes
    assert VERIFY_NOTEBOOK == "xac-minh.ipynb"


def test_a_real_code_shows_the_learner_and_nothing_more(site: Path) -> None:
    cert = issued()
    page = verify_page()
    page.code.value = cert.code.lower().replace("-", " ")  # typed loosely
    verification = page.check()
    assert verification is not None and verification.valid
    assert classes(page) >= {"nk-verify-result", "nk-valid"} and "nk-invalid" not in classes(page)
    html = page.result.value
    assert NAME in html and UNIT in html and "Khóa bồi dưỡng" in html
    from widgets.certificates.text import local_date

    assert local_date(cert.issued_at) in html
    for private in ("90", "CB-4411", cert.learner_id, cert.attempt_id, STAFF):
        assert private not in html  # no score, staff code, IDs or role


def test_a_forged_code_is_refused(site: Path) -> None:
    cert = issued()
    page = verify_page()
    last = cert.code[-1]
    page.code.value = cert.code[:-1] + ("0" if last != "0" else "1")  # one character off
    page.check()
    assert "nk-invalid" in classes(page) and "nk-valid" not in classes(page)
    assert NAME not in page.result.value and "Không hợp lệ" in page.result.value
    page.code.value = "không phải mã"
    page.check()
    assert "nk-invalid" in classes(page) and "NG-XXXX-XXXX" in page.result.value
    page.code.value = cert.code  # the real one, after the forged ones: valid, classes swapped
    page.check()
    assert "nk-valid" in classes(page) and "nk-invalid" not in classes(page)


def test_the_address_in_the_qr_code_is_checked_at_once(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert = issued()
    monkeypatch.setenv("QUERY_STRING", f"code={cert.code}")
    page = verify_page()
    assert page.code.value == cert.code and "nk-valid" in classes(page) and NAME in page.result.value


def test_a_learner_in_the_address_changes_nothing(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page needs no sign-in and reads no learner from the address."""
    cert = issued()
    monkeypatch.setenv("QUERY_STRING", f"learner={cert.learner_id}")
    page = verify_page()
    assert page.code.value == "" and page.result.value == "" and NAME not in str(page.children)
