"""The review page writes at the clock it reads the schedule with (issue 20): a review taken with
the test clock two days ahead is recorded two days ahead, so the next review date moves on from
then and the reviewed clauses are no longer due (no browser, a real SQLite store)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from signing import session_query

from widgets.content.model import Course
from widgets.engine.mastery import requirement_clauses, reviewable_questions
from widgets.engine.results import AnswerResult
from widgets.records.policy import COURSE_TZ
from widgets.records.queries import REVIEW
from widgets.records.store import Store, open_store
from widgets.views.context import page_session
from widgets.views.home import home_page
from widgets.views.review import CLOCK_FILE_ENV, ReviewPage, review_page

from .state import visible_html
from .test_pages_with_records import sign_in
from .test_review_pages import map_states, right


def wrong_on_a_clause(store: Store, course: Course, learner_id: str) -> tuple[str, ...]:
    """A wrong answer, now, on a question citing only clauses on the map; its clauses."""
    question = next(
        q for q in reviewable_questions(course) if set(q.cites) <= set(requirement_clauses(course.directive))
    )
    wrong = AnswerResult(question.id, "nothing", 0.0, 1.0, False, (), question.cites)
    store.record_answer(learner_id, str(uuid.uuid4()), course.module_of(question.id).id, wrong)
    return question.cites


def take_review(page: ReviewPage) -> None:
    """Every question right and the decision's first action."""
    assert page.quiz is not None
    for asked in page.quiz.attempt.questions:
        page._save_answer(asked, page.quiz.attempt.check(asked.id, right(asked)))
    if page.decision is not None:
        page.decision.pick(0)


def test_a_review_under_the_test_clock_is_recorded_at_its_time(
    site: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_id = sign_in()
    store = open_store()
    cites = wrong_on_a_clause(store, course, learner_id)
    monkeypatch.setenv("QUERY_STRING", session_query(store, learner_id))
    clock = site / "clock"
    clock.write_text("2", encoding="utf-8")
    monkeypatch.setenv(CLOCK_FILE_ENV, str(clock))
    later = datetime.now(UTC) + timedelta(days=2)

    page = review_page()
    take_review(page)
    assert store.open_review(learner_id) is None  # finished
    review = next(a for a in store.attempts(learner_id) if a.kind == REVIEW)
    written = [a.answered_at for a in store.answers(learner_id) if a.attempt_id == review.id]
    written += [c.chosen_at for c in store.choices(learner_id) if c.attempt_id == review.id]
    assert written and review.finished_at is not None
    for moment in (review.started_at, review.finished_at, *written):
        assert abs(moment - later) < timedelta(minutes=5), moment  # two days ahead, not now

    html = visible_html(home_page())  # still two days ahead
    states = map_states(html)
    assert all(states[c] == "learning" for c in cites)  # reviewed then: not due again yet
    next_day = (later + timedelta(days=1)).astimezone(COURSE_TZ).strftime("%d/%m")
    assert f"Lần ôn tiếp theo: {next_day}" in html  # box 1 from the review's time


def test_the_review_page_takes_an_injected_clock(
    site: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_id = sign_in()
    store = open_store()
    wrong_on_a_clause(store, course, learner_id)
    monkeypatch.setenv("QUERY_STRING", session_query(store, learner_id))
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=9, hours=3)

    page = ReviewPage(*page_session(), clock=lambda: moment)
    take_review(page)
    review = next(a for a in store.attempts(learner_id) if a.kind == REVIEW)
    assert review.started_at == moment and review.finished_at == moment
    answers = [a for a in store.answers(learner_id) if a.attempt_id == review.id]
    assert answers and all(a.answered_at == moment for a in answers)
    assert all(c.chosen_at == moment for c in store.choices(learner_id) if c.attempt_id == review.id)
