"""Tra cứu over the real course in content/ (skipped while the content does not validate)."""

from __future__ import annotations

import unicodedata

import pytest

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.content.problems import ContentError
from widgets.knowledge import HitKind, search


@pytest.fixture(scope="module")
def real() -> Course:
    try:
        return load_course()
    except ContentError as error:  # another engineer's content in progress
        pytest.skip(f"content/ does not validate: {error}")


def test_ruou_bia_finds_officials_1_first(real: Course) -> None:
    hits = search(real, "ruou bia")
    assert hits[0].kind is HitKind.CLAUSE and hits[0].clause_ids == ("officials.1",)
    assert hits[0].module is not None and hits[0].module.id == "thoi-gio-5-ro"


def test_5_ro_finds_officials_2_first(real: Course) -> None:
    hits = search(real, "5 ro")
    assert hits[0].clause_ids == ("officials.2",)


def test_tone_marks_and_case_do_not_matter(real: Course) -> None:
    typed = [search(real, q) for q in ("rượu bia", "RUOU BIA", unicodedata.normalize("NFD", "Rượu Bia"))]
    assert all([h.title for h in hits] == [h.title for h in typed[0]] for hits in typed)


def test_every_clause_links_to_a_lesson_module(real: Course) -> None:
    for clause in real.directive.clauses:
        hits = [h for h in search(real, clause.label, limit=None) if h.clause_ids == (clause.id,)]
        assert hits and hits[0].module is not None, clause.id
        assert hits[0].module.kind.value == "lesson"


def test_heads_2_is_taught_by_the_heads_module(real: Course) -> None:
    hit = search(real, "cấp phó")[0]
    assert hit.clause_ids == ("heads.2",)
    assert hit.module is not None and hit.module.id == "nguoi-dung-dau"


def test_empty_query_lists_the_whole_faq(real: Course) -> None:
    hits = search(real, "", limit=None)
    assert len(hits) == len(real.faq) >= 15
    assert all(h.clause_ids and h.module is not None for h in hits)


def test_odd_input(real: Course) -> None:
    for query in ("<script>alert(1)</script>", "x" * 20_000, unicodedata.normalize("NFD", "nêu gương")):
        assert isinstance(search(real, query), list)
    assert search(real, unicodedata.normalize("NFD", "nêu gương"))
