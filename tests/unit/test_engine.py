"""Quiz attempts (tries, settling, results), draws, and scenario paths."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widgets.content.model import Course, Question, QuestionType, QuizPolicy, Rating, SourceRef
from widgets.engine.draw import attempt_seed, draw_questions
from widgets.engine.quiz import QuizAttempt
from widgets.engine.scenario import InvalidChoiceError, choose, current_node, path_result


def attempt(course: Course, **policy: object) -> QuizAttempt:
    module = course.module("tong-quan")
    return QuizAttempt.start(module.id, module.questions, QuizPolicy(**policy), learner_id="L1", attempt=1)  # type: ignore[arg-type]


def test_tries_then_settled(course: Course) -> None:
    quiz = attempt(course, tries=2)
    first = quiz.check("q-ban-hanh", "b")
    assert (first.settled, first.tries_left) == (False, 1)
    second = quiz.check("q-ban-hanh", "b")
    assert (second.settled, second.tries_left, second.show_solution) == (True, 0, True)
    with pytest.raises(ValueError, match="already settled"):
        quiz.check("q-ban-hanh", "a")


def test_right_answer_settles_at_once_and_unlimited_tries_never_run_out(course: Course) -> None:
    quiz = attempt(course, tries=None)
    for _ in range(5):
        assert not quiz.check("q-ruou", "a").settled
    assert quiz.check("q-ruou", "b").settled


def test_result_counts_unanswered_as_zero_and_lists_review(course: Course) -> None:
    quiz = attempt(course, tries=1, pass_mark=50)
    quiz.check("q-ban-hanh", "a")
    quiz.check("q-ruou", "a")
    result = quiz.result()
    assert (result.score, result.max_score, result.passed) == (1.0, 6.0, False)
    assert {a.question_id for a in result.to_review} == {q.id for q in quiz.questions} - {"q-ban-hanh"}


def test_pass_mark_boundary(course: Course) -> None:
    quiz = attempt(course, tries=1, pass_mark=50)
    for question_id, answer in [("q-ban-hanh", "a"), ("q-ruou", "b"), ("q-ngan", "ubnd tinh mau")]:
        quiz.check(question_id, answer)
    assert quiz.result().percent == 50.0 and quiz.result().passed


def test_same_seed_same_attempt_different_learners_differ(course: Course) -> None:
    one = attempt(course)
    again = attempt(course)
    assert [q.id for q in one.questions] == [q.id for q in again.questions]
    assert [one.option_order(q) for q in one.questions] == [again.option_order(q) for q in again.questions]
    orders = {
        tuple(
            q.id
            for q in QuizAttempt.start(
                "m", course.questions, QuizPolicy(), learner_id=f"L{i}", attempt=1
            ).questions
        )
        for i in range(10)
    }
    assert len(orders) > 1


def test_ordering_is_never_shown_solved(course: Course) -> None:
    question = course.question("q-thu-tu")
    for learner in range(50):
        quiz = QuizAttempt.start("m", (question,), QuizPolicy(), learner_id=str(learner), attempt=1)
        assert quiz.option_order(question) != ("o1", "o2", "o3")


@given(seed=st.integers(min_value=0), count=st.integers(min_value=0, max_value=6))
def test_draw_is_reproducible_and_sized(course: Course, seed: int, count: int) -> None:
    pool = course.questions
    first = draw_questions(pool, count, random.Random(seed))
    assert first == draw_questions(pool, count, random.Random(seed))
    assert len(first) == count and len(set(first)) == count


@given(seed=st.integers(min_value=0), count=st.integers(min_value=2, max_value=6))
def test_draw_by_clause_covers_every_clause_when_the_pool_allows(
    course: Course, seed: int, count: int
) -> None:
    drawn = draw_questions(course.questions, count, random.Random(seed), clauses=("doc", "officials.1"))
    assert {"doc", "officials.1"} <= {c for q in drawn for c in q.cites}


@st.composite
def clause_pools(draw: st.DrawFn) -> tuple[tuple[Question, ...], list[str]]:
    """A pool of questions citing 1–3 of up to 8 clauses each, and the clause IDs."""
    clauses = [f"c{i}" for i in range(draw(st.integers(min_value=1, max_value=8)))]
    cites = st.lists(st.sampled_from(clauses), min_size=1, max_size=3, unique=True).map(tuple)
    pool = tuple(
        Question(f"q{i}", QuestionType.SINGLE, "?", draw(cites), "", SourceRef("pool.md", i + 1))
        for i in range(draw(st.integers(min_value=1, max_value=15)))
    )
    return pool, clauses


@given(pool_and_clauses=clause_pools(), data=st.data(), seed=st.integers(min_value=0))
def test_any_draw_by_clause_covers_what_the_pool_and_count_allow(
    pool_and_clauses: tuple[tuple[Question, ...], list[str]], data: st.DataObject, seed: int
) -> None:
    pool, clauses = pool_and_clauses
    wanted = data.draw(st.lists(st.sampled_from([*clauses, "not-in-pool"]), unique=True))
    count = data.draw(st.integers(min_value=0, max_value=len(pool)))
    drawn = draw_questions(pool, count, random.Random(seed), clauses=wanted)
    assert len(drawn) == count and len({q.id for q in drawn}) == count and set(drawn) <= set(pool)
    coverable = {c for c in wanted if any(c in q.cites for q in pool)}
    if count >= len(coverable):
        assert coverable <= {c for q in drawn for c in q.cites}
    assert drawn == draw_questions(pool, count, random.Random(seed), clauses=wanted)


def test_attempt_seed_depends_on_every_part() -> None:
    seeds = {
        attempt_seed("a", "m", 1),
        attempt_seed("b", "m", 1),
        attempt_seed("a", "n", 1),
        attempt_seed("a", "m", 2),
    }
    assert len(seeds) == 4


def test_scenario_path(course: Course) -> None:
    scenario = course.scenarios[0]
    step1, action1 = choose(scenario, (), "a2")
    assert (step1.rating, action1.next) == (Rating.VIOLATION, "chieu")
    step2, _ = choose(scenario, (step1,), "a1")
    result = path_result(scenario, (step1, step2))
    assert (result.finished, result.end_node_id, result.score, result.max_score) == (True, "ket-thuc", 2, 4)
    assert current_node(scenario, (step1,)).id == "chieu"
    assert not path_result(scenario, (step1,)).finished


def test_scenario_refuses_actions_not_offered(course: Course) -> None:
    scenario = course.scenarios[0]
    with pytest.raises(InvalidChoiceError):
        choose(scenario, (), "a9")
    step1, _ = choose(scenario, (), "a1")
    step2, _ = choose(scenario, (step1,), "a1")
    with pytest.raises(InvalidChoiceError):
        choose(scenario, (step1, step2), "a1")


def test_true_false_is_always_dung_then_sai(course: Course) -> None:
    question = course.question("q-ruou")
    for learner in range(10):
        quiz = QuizAttempt.start("m", (question,), QuizPolicy(), learner_id=str(learner), attempt=1)
        assert [next(c.text for c in question.choices if c.id == i) for i in quiz.option_order(question)] == [
            "Đúng",
            "Sai",
        ]
