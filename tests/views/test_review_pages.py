"""Issue 20 in the kernel: the "Nắm vững" map on home, the "Ôn tập" page saving each answer and
its decision, the next review date moving, and the test clock (no browser, a real SQLite store)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from signing import session_query

from widgets.content.model import Course, Question, QuestionType
from widgets.engine.mastery import requirement_clauses, reviewable_questions
from widgets.engine.results import AnswerResult, Response
from widgets.records.policy import COURSE_TZ
from widgets.records.queries import REVIEW
from widgets.records.store import open_store
from widgets.views.home import home_page
from widgets.views.review import CLOCK_FILE_ENV, ReviewPage, review_page

from .state import visible_html, widget_tree
from .test_pages_with_records import sign_in


def right(question: Question) -> Response:
    """The response that earns full marks."""
    kind = question.type
    if kind in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        return next(c.id for c in question.choices if c.correct)
    if kind is QuestionType.MULTIPLE:
        return tuple(sorted(c.id for c in question.choices if c.correct))
    if kind is QuestionType.ORDERING:
        return tuple(item.id for item in question.order)
    if kind is QuestionType.MATCHING:
        return tuple(sorted((p.id, p.category) for p in question.pairs))
    return next(c.text for c in question.choices if c.correct)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def map_states(html: str) -> dict[str, str]:
    found = re.findall(r'class="nk-mastery-clause nk-state-(\w+)" data-clause="([^"]+)"', html)
    return {clause: state for state, clause in found}


def test_wrong_then_reviewed_then_due_again(
    site: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_id = sign_in()
    store = open_store()
    question = next(
        q for q in reviewable_questions(course) if set(q.cites) <= set(requirement_clauses(course.directive))
    )
    wrong = AnswerResult(question.id, "nothing", 0.0, 1.0, False, (), question.cites)
    store.record_answer(learner_id, str(uuid.uuid4()), course.module_of(question.id).id, wrong)
    monkeypatch.setenv("QUERY_STRING", session_query(store, learner_id))

    html = visible_html(home_page())
    states = map_states(html)
    on_map = requirement_clauses(course.directive)
    assert list(states) == list(on_map)  # every requirement, in order
    for clause_id in on_map:
        assert states[clause_id] == ("due" if clause_id in question.cites else "new")
        label = course.directive.clause(clause_id).label
        assert label in html
    assert "Cần ôn" in html and "Chưa học" in html and "↻" in html  # words and symbols, not colour
    assert f"Hôm nay cần ôn {len(question.cites)} nội dung" in html
    text = visible_text(html)
    assert not any(
        re.search(rf"(?<![\w.]){re.escape(cid)}(?![\w.])", text)
        for cid in course.directive.clause_ids
        if "." in cid
    )
    assert re.search(r'href="on-tap\.ipynb\?session=[^"]+">Ôn tập<', html)

    page = review_page()
    assert isinstance(page, ReviewPage) and page.quiz is not None
    questions = page.quiz.attempt.questions
    assert 1 <= len(questions) <= 10
    assert all(set(q.cites) & set(question.cites) for q in questions)
    for asked in questions:
        outcome = page.quiz.attempt.check(asked.id, right(asked))
        assert outcome.answer.correct
        page._save_answer(asked, outcome)
    saved = [a for a in store.answers(learner_id) if a.attempt_id == page.review_id]
    assert len(saved) == len(questions)  # each saved at once
    while page.quiz.current is not None:  # "Câu tiếp theo" … "Xem kết quả"
        page.quiz.next()
    summary = page.quiz.summary.value
    assert "Kết quả ôn tập" in summary and f"Trả lời đúng {len(questions)}/{len(questions)} câu" in summary
    assert "để đạt" not in summary  # a review neither passes nor fails
    if page.decision is not None:
        best = max(
            range(len(page.decision.choice_buttons)),
            key=lambda i: (
                page.decision._order[i]
                in {a.id for n in page.decision.scenario.nodes for a in n.actions if a.rating.value == "best"}
            ),
        )
        page.decision.pick(best)
    assert store.open_review(learner_id) is None  # finished
    kinds = {a.kind for a in store.attempts(learner_id)}
    assert REVIEW in kinds
    assert "nk-review-done" in " ".join(c for w in widget_tree(page) for c in getattr(w, "_dom_classes", ()))

    html = visible_html(home_page())
    states = map_states(html)
    assert all(states[c] == "learning" for c in question.cites)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(COURSE_TZ).strftime("%d/%m")
    assert f"Lần ôn tiếp theo: {tomorrow}" in html
    assert "Hôm nay cần ôn" not in html

    clock = site / "clock"
    clock.write_text("2", encoding="utf-8")
    monkeypatch.setenv(CLOCK_FILE_ENV, str(clock))
    html = visible_html(home_page())
    states = map_states(html)
    assert all(states[c] == "due" for c in question.cites)
    due = sum(1 for state in states.values() if state == "due")
    assert f"Hôm nay cần ôn {due} nội dung" in html  # reviewed clauses fall due again


def test_the_test_clock_only_moves_forward_and_within_bounds(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from widgets.views.review import MAX_TEST_OFFSET, test_offset

    clock = site / "clock"
    monkeypatch.setenv(CLOCK_FILE_ENV, str(clock))
    assert test_offset() == timedelta(0)  # no file
    clock.write_text("-5", encoding="utf-8")
    assert test_offset() == timedelta(0)
    clock.write_text("100000", encoding="utf-8")
    assert test_offset() == MAX_TEST_OFFSET
    clock.write_text("not a number", encoding="utf-8")
    assert test_offset() == timedelta(0)
    monkeypatch.delenv(CLOCK_FILE_ENV)
    clock.write_text("3", encoding="utf-8")
    assert test_offset() == timedelta(0)


def test_review_without_sign_in_asks_to_sign_in(site: Path) -> None:
    page = review_page()
    assert page.quiz is None
    assert "Hãy đăng nhập ở trang chủ để ôn tập." in visible_html(page)


def test_nothing_due_says_so(site: Path, course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    learner_id = sign_in()
    store = open_store()
    monkeypatch.setenv("QUERY_STRING", session_query(store, learner_id))
    page = review_page()
    assert page.quiz is None and page.review_id is None
    shown = visible_html(page)
    assert "Hôm nay chưa có nội dung nào cần ôn." in shown
    assert "Mỗi nội dung bạn làm bài sẽ được hẹn ngày ôn lại." in shown
    assert shown.lower().count("chưa có nội dung nào cần ôn") == 1  # said once, not twice
    assert store.open_review(learner_id) is None


def test_the_review_page_is_a_generated_notebook() -> None:
    from widgets.notebooks import REFERENCE_PAGES
    from widgets.views.review import REVIEW_NOTEBOOK

    assert REFERENCE_PAGES[REVIEW_NOTEBOOK] == ("review_page()", "review.title")


def test_a_reloaded_review_resumes_with_the_same_questions(
    site: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_id = sign_in()
    store = open_store()
    on_map = set(requirement_clauses(course.directive))
    for question in [q for q in reviewable_questions(course) if set(q.cites) <= on_map][:3]:
        wrong = AnswerResult(question.id, "nothing", 0.0, 1.0, False, (), question.cites)
        store.record_answer(learner_id, str(uuid.uuid4()), course.module_of(question.id).id, wrong)
    monkeypatch.setenv("QUERY_STRING", session_query(store, learner_id))
    first = review_page()
    assert first.quiz is not None
    asked = first.quiz.attempt.questions
    assert len(asked) >= 2
    for question in asked[:2]:
        first._save_answer(question, first.quiz.attempt.check(question.id, right(question)))

    again = review_page()  # a reload: a new kernel, the same review
    assert again.review_id == first.review_id and again.quiz is not None
    assert {q.id for q in again.quiz.attempt.questions} == {q.id for q in asked}
    assert all(again.quiz.attempt.is_settled(q.id) for q in asked[:2])
    assert not any(again.quiz.attempt.is_settled(q.id) for q in asked[2:])
    assert len([a for a in store.attempts(learner_id) if a.kind == REVIEW]) == 1
