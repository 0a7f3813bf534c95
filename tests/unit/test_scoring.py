"""Scoring: each type by example, and the properties that must hold for any response."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widgets.content.model import Course, Question, QuestionType, QuizPolicy
from widgets.engine.quiz import QuizAttempt
from widgets.engine.scoring import InvalidResponseError, score
from widgets.engine.text import normalise_answer


def test_single_choice(course: Course) -> None:
    question = course.question("q-ban-hanh")
    right, wrong = score(question, "a"), score(question, "b")
    assert (right.score, right.correct, right.feedback) == (
        1.0,
        True,
        ("Đúng: văn bản ghi rõ cơ quan ban hành.",),
    )
    assert (wrong.score, wrong.correct) == (0.0, False)
    assert wrong.feedback == ("Chưa đúng: văn bản không phải của Bộ Nội vụ.",)


def test_true_false(course: Course) -> None:
    question = course.question("q-ruou")
    assert score(question, "b").correct and not score(question, "a").correct


def test_multiple_choice_partial_and_all_or_nothing(course: Course) -> None:
    question = course.question("q-nhieu")
    assert score(question, ("a", "b")).score == 1.0
    assert score(question, ("a",)).score == 0.5
    assert score(question, ("a", "c")).score == 0.0
    strict = type(question)(**{**_fields(question), "partial": False})
    assert score(strict, ("a",)).score == 0.0
    assert score(strict, ("b", "a")).correct


def test_matching_gives_credit_per_pair(course: Course) -> None:
    question = course.question("q-ghep")
    right = (("p1", "Được yêu cầu"), ("p2", "Bị cấm"))
    assert score(question, right).correct
    half = score(question, (("p1", "Được yêu cầu"), ("p2", "Được yêu cầu")))
    assert half.score == 0.5 and half.feedback == ("Văn bản cấm điều này.",)


def test_ordering_credit_by_position(course: Course) -> None:
    question = course.question("q-thu-tu")
    assert score(question, ("o1", "o2", "o3")).correct
    assert score(question, ("o1", "o3", "o2")).score == pytest.approx(1 / 3, abs=1e-6)
    with pytest.raises(InvalidResponseError):
        score(question, ("o1", "o1", "o2"))


@pytest.mark.parametrize(
    ("typed", "correct"),
    [("UBND tỉnh Mẫu", True), ("  ubnd   TỈNH mẫu ", True), ("ubnd tinh mau", True), ("UBND tỉnh", False)],
)
def test_short_answer_normalisation(course: Course, typed: str, correct: bool) -> None:
    assert score(course.question("q-ngan"), typed).correct is correct


def test_short_answer_tone_marks_only_when_allowed(course: Course) -> None:
    question = course.question("q-ngan")
    strict = type(question)(**{**_fields(question), "tone_insensitive": False})
    assert not score(strict, "ubnd tinh mau").correct
    assert score(strict, "ubnd tỉnh mẫu").correct


def test_short_answer_anticipated_wrong_answer_gets_its_feedback(course: Course) -> None:
    result = score(course.question("q-ngan"), "bộ nội vụ")
    assert not result.correct and result.feedback == ("Chưa đúng: đó là cơ quan khác.",)


def test_nfd_input_matches_nfc_key() -> None:
    import unicodedata

    assert normalise_answer(unicodedata.normalize("NFD", "Rõ việc")) == normalise_answer("rõ việc")
    assert normalise_answer("Đường", ignore_tones=True) == "duong"


def test_unknown_choice_is_refused(course: Course) -> None:
    with pytest.raises(InvalidResponseError):
        score(course.question("q-ban-hanh"), "z")
    with pytest.raises(InvalidResponseError):
        score(course.question("q-nhieu"), ("a", "zz"))


def _fields(question: object) -> dict[str, object]:
    return {f.name: getattr(question, f.name) for f in dataclasses.fields(question)}  # type: ignore[arg-type]


def _response_to(question: Question) -> st.SearchStrategy[object]:
    """Any well-formed response to ``question``."""
    ids = [c.id for c in question.choices]
    if question.type in {QuestionType.SINGLE, QuestionType.TRUE_FALSE}:
        return st.sampled_from(ids)
    if question.type is QuestionType.MULTIPLE:
        return st.lists(st.sampled_from(ids), min_size=1, unique=True).map(lambda x: tuple(sorted(x)))
    if question.type is QuestionType.MATCHING:
        return st.tuples(*[st.sampled_from(question.categories) for _ in question.pairs]).map(
            lambda cats: tuple(zip([p.id for p in question.pairs], cats, strict=True))
        )
    if question.type is QuestionType.ORDERING:
        return st.permutations([item.id for item in question.order]).map(tuple)
    typed = [c.text for c in question.choices]
    return st.one_of(st.text(max_size=600), st.sampled_from(typed))


def _responses(course: Course) -> st.SearchStrategy[tuple[str, object]]:
    """Any well-formed response to any fixture question."""

    def for_question(question_id: str) -> st.SearchStrategy[tuple[str, object]]:
        return _response_to(course.question(question_id)).map(lambda answer: (question_id, answer))

    return st.sampled_from([q.id for q in course.questions]).flatmap(for_question)


@given(data=st.data())
def test_score_is_always_within_bounds(course: Course, data: st.DataObject) -> None:
    question_id, response = data.draw(_responses(course))
    result = score(course.question(question_id), response)  # type: ignore[arg-type]
    assert 0.0 <= result.score <= result.max_score
    assert result.correct == (result.score == result.max_score)


@given(data=st.data(), seed=st.integers(min_value=0, max_value=2**32))
def test_shuffling_options_never_changes_a_score(course: Course, data: st.DataObject, seed: int) -> None:
    """The options of any question, stored in any order (IDs kept): the same answer, the same result."""
    question_id, response = data.draw(_responses(course))
    question = course.question(question_id)
    rng = random.Random(seed)
    shuffled_question = dataclasses.replace(
        question,
        choices=tuple(rng.sample(question.choices, len(question.choices))),
        pairs=tuple(rng.sample(question.pairs, len(question.pairs))),
    )
    one, other = score(question, response), score(shuffled_question, response)  # type: ignore[arg-type]
    assert (one.score, one.correct, set(one.feedback)) == (other.score, other.correct, set(other.feedback))


@given(data=st.data(), learners=st.tuples(st.text(max_size=8), st.text(max_size=8)))
def test_shuffled_attempts_score_the_same_answers_alike(
    course: Course, data: st.DataObject, learners: tuple[str, str]
) -> None:
    """Two learners see the questions and options in different orders; the same answers earn
    the same score, question by question."""
    answers = {q.id: data.draw(_response_to(q)) for q in course.questions}
    results = []
    for learner in learners:
        quiz = QuizAttempt.start("m", course.questions, QuizPolicy(tries=1), learner_id=learner, attempt=1)
        for question in quiz.questions:
            quiz.check(question.id, answers[question.id])  # type: ignore[arg-type]
        results.append(quiz.result())
    first, second = ({a.question_id: a.score for a in r.answers} for r in results)
    assert first == second
    assert (results[0].score, results[0].passed) == (results[1].score, results[1].passed)
