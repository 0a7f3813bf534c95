"""The Leitner scheduler of the spaced review (widgets.engine.review): rules and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from widgets.engine.review import (
    INTERVALS,
    ClauseSchedule,
    Outcome,
    due_clauses,
    next_review,
    schedule_clause,
    schedules,
    step,
)

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def history(*marks: tuple[int, bool], clause: str = "officials.1") -> list[Outcome]:
    """(day offset, right?) → outcomes on distinct items."""
    return [Outcome(clause, f"question:q{i}", right, T0 + day * DAY) for i, (day, right) in enumerate(marks)]


def test_intervals_are_1_3_7_14_30_days() -> None:
    assert [i.days for i in INTERVALS] == [1, 3, 7, 14, 30]


def test_right_answers_on_time_climb_the_boxes() -> None:
    s = schedule_clause("c", history((0, True)))
    assert (s.box, s.due_at) == (1, T0 + DAY)
    day = 1
    for box, interval in zip(range(2, 6), (3, 7, 14, 30), strict=True):
        s = step(s, True, T0 + day * DAY)
        assert (s.box, s.due_at) == (box, T0 + (day + interval) * DAY)
        day += interval
    s = step(s, True, s.due_at)  # box 5 is the last
    assert s.box == 5 and s.interval == 30 * DAY


def test_a_wrong_answer_sends_the_clause_to_box_1_due_at_once() -> None:
    s = schedule_clause("c", history((0, True), (1, True), (4, True)))
    assert s.box == 3
    wrong = step(s, False, T0 + 5 * DAY)
    assert (wrong.box, wrong.due_at, wrong.lapsed) == (1, T0 + 5 * DAY, True)
    assert wrong.is_due(T0 + 5 * DAY)
    relearnt = step(wrong, True, T0 + 5 * DAY + timedelta(minutes=5))
    assert (relearnt.box, relearnt.due_at) == (1, T0 + 6 * DAY + timedelta(minutes=5))


def test_an_early_right_answer_moves_nothing() -> None:
    s = schedule_clause("c", history((0, True)))
    early = step(s, True, T0 + timedelta(hours=3))
    assert (early.box, early.due_at) == (s.box, s.due_at)


def test_order_of_the_evidence_does_not_matter() -> None:
    marks = history((0, True), (1, False), (1, True), (3, True))
    assert schedule_clause("c", marks) == schedule_clause("c", list(reversed(marks)))


def test_due_and_next_review() -> None:
    found = schedules(
        ["a", "b", "c", "d"],
        [
            *history((0, True), clause="a"),
            *history((0, False), clause="b"),
            *history((-3, False), clause="c"),
        ],
    )
    now = T0 + timedelta(hours=1)
    assert due_clauses(found, now) == ["c", "b"]  # the longest overdue first; d never met
    assert next_review(found, now) == T0 + DAY
    assert found["d"] == ClauseSchedule("d")
    assert not found["d"].is_due(now)


moments = st.integers(min_value=0, max_value=400 * 24).map(lambda h: T0 + timedelta(hours=h))
answers = st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=60 * 24)), max_size=25)


def replay(marks: list[tuple[bool, int]]) -> ClauseSchedule:
    s, at = ClauseSchedule("c"), T0
    for right, gap in marks:
        at += timedelta(hours=gap)
        s = step(s, right, at)
    return s


@given(answers, st.integers(min_value=0, max_value=60 * 24))
def test_wrong_is_never_due_later_than_right(marks: list[tuple[bool, int]], gap: int) -> None:
    before = replay(marks)
    at = (before.last_at or T0) + timedelta(hours=gap)
    wrong, right = step(before, False, at), step(before, True, at)
    assert wrong.due_at is not None and right.due_at is not None
    assert wrong.due_at <= right.due_at
    for probe in (at, at + timedelta(hours=1), right.due_at):
        assert wrong.is_due(probe) or not right.is_due(probe)


@given(answers, st.integers(min_value=0, max_value=60 * 24))
def test_intervals_never_shrink_after_a_right_answer(marks: list[tuple[bool, int]], gap: int) -> None:
    before = replay(marks)
    at = (before.last_at or T0) + timedelta(hours=gap)
    after = step(before, True, at)
    assert after.interval >= before.interval
    assert after.box >= before.box or before.lapsed
    assert before.due_at is None or after.due_at >= min(before.due_at, at)  # type: ignore[operator]
    assert not after.is_due(at)


@given(answers)
def test_the_box_is_1_to_5_once_met(marks: list[tuple[bool, int]]) -> None:
    s = replay(marks)
    if marks:
        assert 1 <= s.box <= 5
        assert s.due_at is not None
