"""Issue 20: a learner who passed and later falls to "cần ôn" keeps the certificate; the page
names the clauses due for review and links to "Ôn tập"."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from widgets.content.course import load_course
from widgets.engine.results import AnswerResult
from widgets.views.certificate import CertificateView, certificate_page

from .test_certificate_page import find, html_of, learner, quick_pdf  # noqa: F401  (fixture)


def test_a_clause_due_for_review_keeps_the_certificate(
    site: Path,
    monkeypatch: pytest.MonkeyPatch,
    quick_pdf: None,  # noqa: F811
) -> None:
    store, learner_id = learner(monkeypatch, passed=True)
    store.record_pledge(learner_id, "Tôi cam kết …")
    issued = store.issue_certificate(learner_id)
    html = html_of(certificate_page())
    assert "nk-review-due" not in html  # nothing due yet

    course = load_course()
    clause = course.directive.clauses[-1]
    wrong = AnswerResult("q-later", "x", 0.0, 1.0, False, (), (clause.id,))
    store.record_answer(learner_id, str(uuid.uuid4()), "tong-quan", wrong)  # a month later, forgotten

    page = certificate_page()
    [view] = find(page, CertificateView)
    assert view.certificate.code == issued.code  # the certificate stands
    assert store.verify_certificate(issued.code).valid
    html = html_of(page)
    assert "nk-review-due" in html and "vẫn còn nguyên giá trị" in html
    assert clause.label in html and 'href="on-tap.ipynb?session=' in html
