"""Tra cứu's pure core: matching, ranking, snippets and the module each hit links to."""

from __future__ import annotations

import dataclasses as dc
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.content.model import Course, FaqEntry, SourceRef, Term
from widgets.knowledge import (
    KIND_RANK,
    HitKind,
    fold,
    index_for,
    markdown_text,
    query_words,
    search,
    teaching_module,
    tokenize,
)

HERE = SourceRef("test", 1)


@pytest.fixture(scope="module")
def rich(course: Course) -> Course:
    """The fixture course with a FAQ and a glossary (the fixture itself has neither)."""
    return dc.replace(
        course,
        faq=(
            FaqEntry(
                "Trưa có được uống một cốc bia không?", "Không (`officials.1`).", ("officials.1",), HERE
            ),
            FaqEntry("Ai ban hành Công văn?", "UBND tỉnh Mẫu (`doc`).", ("doc",), HERE),
        ),
        glossary=(
            Term("thời giờ làm việc", "Giải thích chung: khoảng thời gian làm việc.", ("officials.1",), HERE),
            Term("công vụ", "Giải thích chung: hoạt động của công chức.", (), HERE),
        ),
    )


def test_fold_drops_case_tones_and_d_bar() -> None:
    assert fold("RƯỢU, Bia Đường") == "ruou, bia duong"
    assert fold(unicodedata.normalize("NFD", "rõ việc")) == "ro viec"


def test_tone_and_case_insensitive_match_finds_the_clause_first(rich: Course) -> None:
    for query in ("ruou bia", "RƯỢU BIA", "Rượu, bia", unicodedata.normalize("NFD", "rượu bia")):
        hits = search(rich, query)
        assert hits, query
        assert hits[0].kind is HitKind.CLAUSE and hits[0].clause_ids == ("officials.1",), query


def test_every_query_word_must_match(rich: Course) -> None:
    assert search(rich, "bia uỷ ban") == []
    assert {h.kind for h in search(rich, "bia")} == {HitKind.CLAUSE, HitKind.FAQ, HitKind.LESSON}


def test_whole_words_not_substrings(rich: Course) -> None:
    assert search(rich, "ru") == [] and search(rich, "uou") == []


def test_ranked_clause_then_faq_then_lesson_then_glossary(rich: Course) -> None:
    kinds = [hit.kind for hit in search(rich, "làm việc")]
    assert kinds == sorted(kinds, key=[HitKind.CLAUSE, HitKind.FAQ, HitKind.LESSON, HitKind.TERM].index)
    assert kinds[0] is HitKind.CLAUSE and kinds[-1] is HitKind.TERM
    scores = [hit.score for hit in search(rich, "làm việc")]
    assert scores == sorted(scores, reverse=True)


def test_lesson_hits_link_their_module_and_cite_clauses(rich: Course) -> None:
    hits = search(rich, "UBND tỉnh Mẫu")
    lesson = next(h for h in hits if h.kind is HitKind.LESSON)
    assert lesson.title == "Ai ban hành?" and lesson.clause_ids == ("doc",)
    assert lesson.module is not None and lesson.module.id == "tong-quan"
    assert "**" not in lesson.snippet and "UBND tỉnh Mẫu" in lesson.snippet


def test_every_hit_names_a_clause_and_its_module(rich: Course) -> None:
    for hit in search(rich, "làm việc", limit=None):
        assert hit.clause_ids and hit.module is not None and hit.module.id == "tong-quan"


def test_highlighted_parts_rebuild_the_text(rich: Course) -> None:
    hit = search(rich, "ruou")[0]
    assert "".join(text for text, _ in hit.snippet_parts()) == hit.snippet
    assert [text for text, marked in hit.snippet_parts() if marked] == ["rượu"]
    assert [text for text, marked in hit.title_parts() if marked] == []


def test_empty_query_lists_the_faq(rich: Course) -> None:
    for query in ("", "   ", "?!", None, 42):
        hits = search(rich, query)
        assert [h.title for h in hits] == [f.question for f in rich.faq]
        assert all(h.kind is HitKind.FAQ and h.clause_ids for h in hits)


def test_limit(rich: Course) -> None:
    assert len(search(rich, "làm việc", limit=2)) == 2
    assert len(search(rich, "", limit=1)) == 1


@pytest.mark.parametrize(
    "query",
    [
        "x" * 100_000,
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "\x00\ud800",
        "😀 bia",
        "ruou " * 500,
    ],
)
def test_odd_input_never_crashes(rich: Course, query: str) -> None:
    hits = search(rich, query)
    assert isinstance(hits, list)


def test_long_query_is_cut_not_refused(rich: Course) -> None:
    assert search(rich, "bia " + "x" * 10_000) == []
    assert search(rich, "bia " * 1000)[0].clause_ids == ("officials.1",)


def test_index_is_built_once_per_course(rich: Course) -> None:
    assert index_for(rich) is index_for(rich)


def test_teaching_module_prefers_front_matter(course: Course) -> None:
    module = teaching_module(course, "officials.1")
    assert module is not None and module.id == "tong-quan"
    assert teaching_module(course, "no.such") is None


def test_markdown_text_strips_markup() -> None:
    assert markdown_text("Văn bản do **UBND** ban hành (`doc`).\n\n- một\n- hai") == (
        "Văn bản do UBND ban hành (doc). một hai"
    )


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_query_gives_ranked_hits_that_contain_every_word(rich: Course, query: str) -> None:
    """Property: kinds in ranking order; every query word visible in the hit; marks are matches."""
    hits = search(rich, query, limit=None)
    ranks = [KIND_RANK[hit.kind] for hit in hits]
    assert ranks == sorted(ranks)
    words = set(query_words(query))
    for hit in hits:
        visible = {t.folded for t in tokenize(f"{hit.title} {hit.snippet} {' '.join(hit.clause_ids)}")}
        assert words <= visible, (query, hit.title)
        assert all(fold(text) in words for text, marked in hit.title_parts() + hit.snippet_parts() if marked)
