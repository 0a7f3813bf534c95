"""Mastery by clause and the review draw (widgets.engine.mastery) on hand-made histories."""

from __future__ import annotations

import dataclasses as dc
from datetime import UTC, datetime, timedelta

import pytest

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.engine.mastery import (
    REVIEW_MAX,
    REVIEW_MIN,
    MasteryState,
    draw_review,
    map_clauses,
    mastery_map,
    outcomes,
    question_item,
    requirement_clauses,
    reviewable_questions,
)
from widgets.engine.review import Outcome

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CLAUSES = ("heads.1", "officials.1", "officials.2", "oversight")


def out(clause: str, item: str, right: bool, day: float) -> Outcome:
    return Outcome(clause, f"question:{item}", right, T0 + day * DAY)


def state(evidence: list[Outcome], day: float, clause: str = "officials.1") -> MasteryState:
    return mastery_map(CLAUSES, evidence, T0 + day * DAY).state(clause)


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course()


def test_the_map_has_the_directives_11_citable_clauses(course: Course) -> None:
    on_map = requirement_clauses(course.directive)
    assert on_map == (
        "doc",
        *(f"heads.{n}" for n in (1, 2, 3)),
        *(f"officials.{n}" for n in range(1, 7)),
        "oversight",
    )


def test_the_documents_particulars_count_towards_doc_and_a_preamble_towards_nothing(course: Course) -> None:
    found = outcomes(
        course,
        [
            A("x", "q1", 1, True, ("doc.to", "doc.ask"), T0),
            A("x", "q2", 1, True, ("officials",), T0),
            A("x", "q3", 1, False, ("officials", "officials.3"), T0),
        ],
        [],
    )
    assert [(o.clause_id, o.item_id, o.correct) for o in found] == [
        ("doc", "question:q1", True),  # once, though it cites two particulars
        ("officials.3", "question:q3", False),
    ]


def test_no_evidence_is_new() -> None:
    assert state([out("heads.1", "a", True, 0)], 0.1) is MasteryState.NEW


def test_a_right_answer_today_is_learning_until_tomorrow() -> None:
    evidence = [out("officials.1", "a", True, 0), out("officials.1", "b", True, 0)]
    assert state(evidence, 0.5) is MasteryState.LEARNING  # two items, but box 1 only
    assert state(evidence, 1) is MasteryState.DUE  # its one-day review has come


def test_a_wrong_latest_answer_is_due_at_once() -> None:
    evidence = [out("officials.1", "a", True, 0), out("officials.1", "b", False, 0.2)]
    assert state(evidence, 0.2) is MasteryState.DUE


def test_right_again_after_the_interval_on_two_items_is_mastered() -> None:
    evidence = [
        out("officials.1", "a", True, 0),
        out("officials.1", "b", True, 0),
        out("officials.1", "a", True, 1.5),  # reviewed when due: box 2, due at day 4.5
    ]
    assert state(evidence, 2) is MasteryState.MASTERED
    assert state(evidence, 4.5) is MasteryState.DUE  # not seen again: it falls due


def test_one_item_only_is_never_mastered() -> None:
    evidence = [out("officials.1", "a", True, day) for day in (0, 1, 4, 11)]
    assert state(evidence, 12) is MasteryState.LEARNING


def test_too_many_recent_mistakes_is_not_mastered() -> None:
    evidence = [
        out("officials.1", "a", False, 0),
        out("officials.1", "b", False, 0.1),
        out("officials.1", "a", True, 0.2),
        out("officials.1", "b", True, 1.3),  # box 2 (after relearning box 1)... share 3/5?
        out("officials.1", "c", True, 1.4),
    ]
    # the latest five: wrong, wrong, right, right, right → 60 % < 80 %
    assert state(evidence, 1.5) is MasteryState.LEARNING


def test_mastery_map_keeps_the_directive_order_and_reports_next_review() -> None:
    found = mastery_map(
        CLAUSES, [out("oversight", "a", True, 0), out("heads.1", "b", False, 0.5)], T0 + 0.6 * DAY
    )
    assert [c.clause_id for c in found.clauses] == list(CLAUSES)
    assert found.due == ["heads.1"]
    assert found.next_review == T0 + DAY


@dc.dataclass(frozen=True)
class A:
    attempt_id: str
    question_id: str
    try_no: int
    correct: bool
    cites: tuple[str, ...]
    answered_at: datetime


@dc.dataclass(frozen=True)
class C:
    attempt_id: str
    scenario_id: str
    node_id: str
    action_id: str
    rating: str
    chosen_at: datetime


def test_only_first_tries_and_first_choices_count(course: Course) -> None:
    scenario = course.scenarios[0]
    node = scenario.node(scenario.start)
    bad = next(a for a in node.actions if a.rating.value == "violation")
    good = next(a for a in node.actions if a.rating.value != "violation")
    found = outcomes(
        course,
        [
            A("x", "q1", 1, False, ("officials.1",), T0),
            A("x", "q1", 2, True, ("officials.1",), T0 + DAY),
            A("y", "q2", 1, True, ("heads.1", "heads.1", "oversight"), T0),
        ],
        [
            C("r", scenario.id, node.id, bad.id, "violation", T0),
            C("r", scenario.id, node.id, good.id, good.rating.value, T0 + DAY),  # same run: ignored
        ],
    )
    questions = [(o.clause_id, o.correct) for o in found if o.item_id.startswith("question:")]
    assert questions == [("officials.1", False), ("heads.1", True), ("oversight", True)]
    nodes = [o for o in found if o.item_id.startswith("node:")]
    assert nodes and all(not o.correct for o in nodes)
    on_map = map_clauses(course.directive)
    assert {o.clause_id for o in nodes} == {on_map[c] for c in bad.cites or node.cites if c in on_map}


def test_review_draw_prefers_unseen_then_wrong_and_covers_every_due_clause(course: Course) -> None:
    due = ["officials.1", "oversight"]
    pool = [q for q in reviewable_questions(course) if set(due) & set(q.cites)]
    assert len(pool) > REVIEW_MAX
    seen_right = pool[: len(pool) // 2]
    seen_wrong = pool[len(pool) // 2 : len(pool) // 2 + 2]
    evidence = [Outcome(q.cites[0], question_item(q.id), True, T0) for q in seen_right]
    evidence += [Outcome(q.cites[0], question_item(q.id), False, T0) for q in seen_wrong]
    draw = draw_review(course, due, evidence, seed="learner:1")
    assert REVIEW_MIN <= len(draw.questions) <= REVIEW_MAX
    assert len({q.id for q in draw.questions}) == len(draw.questions)
    for clause in due:
        assert any(clause in q.cites for q in draw.questions)
    unseen = [q for q in pool if q not in seen_right and q not in seen_wrong]
    fresh = [*unseen, *seen_wrong]
    if set(fresh) - set(draw.questions):  # a question seen and right only where nothing else covers
        for q in set(draw.questions) & set(seen_right):
            assert any(c in due and not any(c in f.cites for f in fresh) for c in q.cites)
    assert draw.decision is not None
    _scenario, node = draw.decision
    assert node.actions and set(due) & ({*node.cites} | {c for a in node.actions for c in a.cites})
    assert draw == draw_review(course, due, evidence, seed="learner:1")  # reproducible


def test_wrongly_answered_come_before_those_answered_right(course: Course) -> None:
    due = ["heads.1"]
    pool = [q for q in reviewable_questions(course) if "heads.1" in q.cites]
    evidence = [Outcome("heads.1", question_item(q.id), True, T0) for q in pool]
    evidence.append(Outcome("heads.1", question_item(pool[-1].id), False, T0 + DAY))
    draw = draw_review(course, due, evidence, seed=3)
    assert pool[-1] in draw.questions
    assert draw_review(course, [], evidence, seed=3).questions == ()
