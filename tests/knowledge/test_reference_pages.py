"""Thuật ngữ and the directive's full text: order, anchors, links, escaping."""

from __future__ import annotations

import dataclasses as dc
import re
from pathlib import Path

import pytest
from signing import session_query

from widgets.collation import initial, sort_key
from widgets.content.model import Course, SourceRef, Term
from widgets.records.identity import STAFF
from widgets.records.store import open_store
from widgets.views.reference import directive_page, glossary_groups, glossary_page

from .pages import html_of

HERE = SourceRef("test", 1)
NAMES = ["đơn thư", "ủy ban", "cấp phó", "cán bộ", "5 rõ", "an toàn", "ăn ở", "dân", "<b>x</b>"]


@pytest.fixture
def glossary_course(course: Course) -> Course:
    terms = tuple(Term(name, f"Giải thích chung: {name}.", ("officials.1",), HERE) for name in NAMES)
    return dc.replace(course, glossary=terms)


def test_vietnamese_alphabetical_order() -> None:
    ordered = sorted(["đa", "da", "dạ", "dà", "ăn", "an", "ân", "b", "ư", "u", "v"], key=sort_key)
    assert ordered == ["an", "ăn", "ân", "b", "da", "dà", "dạ", "đa", "u", "ư", "v"]
    assert [initial(x) for x in ("đơn thư", "ủy ban", "5 rõ")] == ["Đ", "U", "5"]


def test_glossary_is_alphabetical_and_grouped(glossary_course: Course) -> None:
    groups = glossary_groups(glossary_course)
    names = [term.name for _, terms in groups for term, _, _ in terms]
    assert names == ["5 rõ", "an toàn", "ăn ở", "cán bộ", "cấp phó", "dân", "đơn thư", "ủy ban", "<b>x</b>"]
    assert [letter for letter, _ in groups] == ["5", "A", "Ă", "C", "D", "Đ", "U", "<"]


def test_glossary_page_terms_and_anchors(site: Path, glossary_course: Course) -> None:
    html = html_of(glossary_page(glossary_course))
    assert html.count('class="nk-term"') == len(NAMES)
    assert 'id="term-don-thu"' in html and 'id="term-cap-pho"' in html
    assert 'href="van-ban.ipynb#clause-officials.1"' in html and 'href="tong-quan.ipynb"' in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    positions = [
        html.index(f'<h3 class="nk-term-name">{name}</h3>')
        for name in ("cán bộ", "cấp phó", "dân", "đơn thư")
    ]
    assert positions == sorted(positions)


def test_directive_page_has_every_clause_with_its_anchor(site: Path, course: Course) -> None:
    page = directive_page(course)
    html = html_of(page)
    sections = re.findall(r'<section class="nk-clause" id="clause-([^"]+)"', html)
    assert sections == list(course.directive.clause_ids)
    for clause in course.directive.clauses:
        assert clause.text in html and f'data-clause="{clause.id}"' in html and f">{clause.name}</a>" in html
        assert f">{clause.id}</a>" not in html  # learners see the clause's name, not its ID
    assert course.directive.number in html and 'href="tong-quan.ipynb"' in html
    assert "nk-directive-page" in page._dom_classes


def test_reference_pages_keep_the_learner(
    site: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner = open_store().sign_in("Quàng Văn Minh", "Sở Nội vụ", STAFF)
    query = session_query(open_store(), learner.id)
    monkeypatch.setenv("QUERY_STRING", query)
    html = html_of(directive_page(course))
    assert f"tong-quan.ipynb?{query}" in html and f"tra-cuu.ipynb?{query}" in html
    monkeypatch.setenv("QUERY_STRING", "session=no-such-session")
    assert "no-such-session" not in html_of(glossary_page(course))
