"""Scoring: one pure function per question type, dispatched by ``score``.

Every function returns an ``AnswerResult`` whose score lies in ``[0, points]`` and whose
feedback covers only what the learner answered.
"""

from __future__ import annotations

from collections.abc import Callable

from widgets.content.model import Question, QuestionType
from widgets.engine.results import AnswerResult, Response
from widgets.engine.text import normalise_answer


class InvalidResponseError(ValueError):
    """The response does not fit the question (unknown choice, wrong shape)."""


def score(question: Question, response: Response) -> AnswerResult:
    """Score a response to any question type."""
    return _SCORERS[question.type](question, response)


def _result(question: Question, response: Response, fraction: float, feedback: list[str]) -> AnswerResult:
    fraction = min(1.0, max(0.0, fraction))
    return AnswerResult(
        question_id=question.id,
        response=response,
        score=round(fraction * question.points, 6),
        max_score=float(question.points),
        correct=fraction >= 1.0,
        feedback=tuple(text for text in feedback if text),
        cites=question.cites,
    )


def _single(question: Question, response: Response) -> AnswerResult:
    if not isinstance(response, str):
        raise InvalidResponseError("single choice expects one choice ID")
    by_id = {choice.id: choice for choice in question.choices}
    if response not in by_id:
        raise InvalidResponseError(f"unknown choice {response!r}")
    chosen = by_id[response]
    fraction = chosen.weight / 100 if chosen.weight is not None else float(chosen.correct)
    return _result(question, response, fraction, [chosen.feedback])


def _multiple(question: Question, response: Response) -> AnswerResult:
    picked = _id_set(response, {choice.id for choice in question.choices})
    right = {choice.id for choice in question.choices if choice.correct}
    wrong = {choice.id for choice in question.choices} - right
    if question.partial_credit:
        fraction = moodle_partial(len(picked & right), len(right), len(picked & wrong), len(wrong))
    elif question.partial:
        hits, misses = len(picked & right), len(picked - right)
        fraction = (hits - misses) / len(right) if right else 0.0
    else:
        fraction = 1.0 if picked == right else 0.0
    feedback = [choice.feedback for choice in question.choices if choice.id in picked]
    return _result(question, tuple(sorted(picked)), fraction, feedback)


def moodle_partial(hits: int, n_right: int, misses: int, n_wrong: int) -> float:
    """Moodle's multichoice grading with the usual "partially correct" weights: each right choice
    picked weighs +1/n_right, each wrong one −1/n_wrong; the sum is clamped to [0, 1] (Moodle's
    ``qtype_multichoice_multi_question::grade_response`` sums the picked fractions and clamps)."""
    total = (hits / n_right if n_right else 0.0) - (misses / n_wrong if n_wrong else 0.0)
    return min(1.0, max(0.0, total))


def _matching(question: Question, response: Response) -> AnswerResult:
    if not isinstance(response, tuple) or not all(isinstance(p, tuple) and len(p) == 2 for p in response):
        raise InvalidResponseError("matching expects (pair ID, category) pairs")
    answers = dict(pair for pair in response if isinstance(pair, tuple))
    by_id = {pair.id: pair for pair in question.pairs}
    if set(answers) - set(by_id) or set(answers.values()) - set(question.categories):
        raise InvalidResponseError("unknown pair or category")
    right = [pair for pair in question.pairs if answers.get(pair.id) == pair.category]
    wrong = [pair for pair in question.pairs if pair.id in answers and pair not in right]
    fraction = len(right) / len(question.pairs) if question.pairs else 0.0
    return _result(question, tuple(sorted(answers.items())), fraction, [p.feedback for p in wrong])


def _ordering(question: Question, response: Response) -> AnswerResult:
    ids = [item.id for item in question.order]
    if not isinstance(response, tuple) or sorted(response) != sorted(ids):
        raise InvalidResponseError("ordering expects every item ID exactly once")
    in_place = sum(1 for given, expected in zip(response, ids, strict=True) if given == expected)
    return _result(question, response, in_place / len(ids), [])


def _short(question: Question, response: Response) -> AnswerResult:
    if not isinstance(response, str):
        raise InvalidResponseError("short answer expects text")
    typed = normalise_answer(response)
    loose = normalise_answer(response, ignore_tones=True)
    for choice in question.choices:
        exact = normalise_answer(choice.text) == typed
        toneless = question.tone_insensitive and normalise_answer(choice.text, ignore_tones=True) == loose
        if exact or toneless:
            return _result(question, response, 1.0 if choice.correct else 0.0, [choice.feedback])
    return _result(question, response, 0.0, [])


def _id_set(response: Response, known: set[str]) -> set[str]:
    picked = set() if isinstance(response, str) else {item for item in response if isinstance(item, str)}
    if isinstance(response, str) or len(picked) != len(set(response)):
        raise InvalidResponseError("multiple choice expects choice IDs")
    if picked - known:
        raise InvalidResponseError(f"unknown choices {sorted(picked - known)!r}")
    return picked


_SCORERS: dict[QuestionType, Callable[[Question, Response], AnswerResult]] = {
    QuestionType.SINGLE: _single,
    QuestionType.TRUE_FALSE: _single,
    QuestionType.MULTIPLE: _multiple,
    QuestionType.MATCHING: _matching,
    QuestionType.ORDERING: _ordering,
    QuestionType.SHORT: _short,
}
