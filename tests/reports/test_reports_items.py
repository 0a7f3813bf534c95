"""Item statistics against values computed by hand on a six-learner cohort (both backends), in
SQL (the package's) and by the plain-Python reference (``tests/reference/items.py``).

Marks in each learner's first finished attempt at quiz ``m1`` (q4 is worth 2 points):

====  ==  ==  ==  ==  ==  =====
      q1  q2  q3  q4  q5  total
====  ==  ==  ==  ==  ==  =====
A     1   1   1   2   0   5
B     1   1   0   1   0   3
C     1   0   1   1   0   3
D     1   1   0   0   0   2
E     1   0   0   0   0   1
F     1   0   0   0   1   2
====  ==  ==  ==  ==  ==  =====

With x the item mark and r = total − x (sums over the six learners):

* q1: F = 6/6 = 1; x constant, so D is undefined. Flag: too easy.
* q2: F = 3/6; Σxr − n·x̄·r̄ = 7 − 6.5 = 0.5; Sxx = 1.5; Srr = 35 − 169/6 = 41/6;
  D = 100 · 0.5 / √(1.5 · 41/6) = 100 · 0.5 / √10.25 = 15.617.
* q3: F = 2/6; Sxr = 6 − 14/3 = 4/3; Sxx = 4/3; Srr = 38 − 98/3 = 16/3; D = 100 · (4/3)/(8/3) = 50.
* q4: F = (1 + ½ + ½)/6 = 1/3; Sxr = 10 − 8 = 2; Sxx = 6 − 8/3 = 10/3; Srr = 26 − 24 = 2;
  D = 100 · 2/√(20/3) = 77.460; SD of mark/max = √(5/36) = 0.372678.
* q5: F = 1/6; Sxr = 1 − 2.5 = −1.5; Sxx = 5/6; Srr = 49 − 37.5 = 11.5;
  D = 100 · (−1.5)/√(115/12) = −48.454. Flags: too hard, negative.

Wrong responses to q2 over every try: C tried b then c, E tried b twice, F c once → "b" 3 of 5.
A answered q3 wrongly ("c") then rightly: the last try counts as A's mark, and the wrong try
is still one of q3's five wrong responses (B, D, E, F chose "b": 4 of 5).
B's later, perfect attempt and G's unfinished one are left out with ``which="first"``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from reference import items as reference
from reference.cohort import load_cohort

from widgets.content.model import Choice, Clause, Question, QuestionType, SourceRef
from widgets.engine.results import AnswerResult, QuizResult
from widgets.engine.solution import response_label
from widgets.records.identity import STAFF
from widgets.records.statistics.filters import Filters
from widgets.records.statistics.items import ALL, FIRST, ItemStat, clause_rollup, flags_for, item_statistics
from widgets.records.store import Store

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
SRC = SourceRef("test", 1)
MAX = {"q1": 1.0, "q2": 1.0, "q3": 1.0, "q4": 2.0, "q5": 1.0}
CITES = {"q1": ("c1",), "q2": ("c1", "c2"), "q3": ("c2",), "q4": ("c2",), "q5": ("c3",)}
MARKS = {
    "A": (1, 1, 1, 2, 0),
    "B": (1, 1, 0, 1, 0),
    "C": (1, 0, 1, 1, 0),
    "D": (1, 1, 0, 0, 0),
    "E": (1, 0, 0, 0, 0),
    "F": (1, 0, 0, 0, 1),
}
WRONG_TRIES = {("C", "q2"): ["b", "c"], ("E", "q2"): ["b", "b"], ("F", "q2"): ["c"], ("A", "q3"): ["c"]}
NAMES = {
    key: f"Lò Văn {name}"
    for key, name in zip("ABCDEFG", ("An", "Bình", "Cường", "Dũng", "Em", "Phong", "Giang"), strict=True)
}


def question(qid: str, kind: QuestionType = QuestionType.SINGLE) -> Question:
    choices = (
        Choice("a", f"Đúng {qid}", True, ""),
        Choice("b", f"Sai thứ nhất {qid}", False, ""),
        Choice("c", f"Sai thứ hai {qid}", False, ""),
    )
    return Question(qid, kind, f"Câu {qid}?", CITES[qid], "", SRC, choices=choices, points=int(MAX[qid]))


QUESTIONS = {qid: question(qid) for qid in MAX}
CLAUSES = tuple(Clause(c, f"Yêu cầu {c}", "", SRC) for c in ("c1", "c2", "c3"))


def answer(qid: str, response: str, score: float) -> AnswerResult:
    return AnswerResult(qid, response, score, MAX[qid], score == MAX[qid], (), CITES[qid])


def take(
    store: Store, learner_id: str, marks: tuple[int, ...], key: str, at: datetime, finish: bool = True
) -> None:
    store.clock = lambda: at
    attempt = store.start_attempt(learner_id, "m1")
    results = []
    moment = at
    for qid, mark in zip(MAX, marks, strict=True):
        tries = [*WRONG_TRIES.get((key, qid), [])]
        if mark == MAX[qid] or not tries:
            tries.append("a" if mark == MAX[qid] else "b")
        for try_no, response in enumerate(tries, start=1):
            moment += timedelta(seconds=10)
            last = try_no == len(tries)
            result = answer(qid, response, float(mark) if last else 0.0)
            store.record_answer(learner_id, attempt.id, "m1", result, try_no=try_no, answered_at=moment)
        results.append(result)
    if finish:
        store.clock = lambda: moment + timedelta(seconds=1)
        store.finish_quiz(learner_id, QuizResult("m1", attempt.id, tuple(results), 80))


@pytest.fixture
def cohort_store(store: Store) -> Store:
    for n, (key, marks) in enumerate(MARKS.items()):
        learner = store.sign_in(NAMES[key], "Sở Nội vụ", STAFF)
        take(store, learner.id, marks, key, T0 + timedelta(hours=n))
        if key == "B":
            take(store, learner.id, (1, 1, 1, 2, 1), "B2", T0 + timedelta(days=1))
    late = store.sign_in(NAMES["G"], "Sở Nội vụ", STAFF)
    take(store, late.id, (0, 0, 0, 0, 0), "G", T0 + timedelta(hours=9), finish=False)
    return store


def analyse(store: Store, how: str, which: str = FIRST) -> list[ItemStat]:
    """The item statistics of quiz ``m1``, in SQL (``how="sql"``) or by the reference."""
    if how == "reference":
        cohort = load_cohort(store.engine)
        return reference.item_statistics(cohort.answers, cohort.attempts, "m1", QUESTIONS, which=which)
    with store.engine.connect() as conn:
        return item_statistics(conn, Filters(), "m1", QUESTIONS, which=which)


BOTH = pytest.mark.parametrize("how", ["sql", "reference"])


@BOTH
def test_item_statistics_match_the_hand_computed_values(cohort_store: Store, how: str) -> None:
    items = {i.question_id: i for i in analyse(cohort_store, how)}
    assert list(items) == ["q1", "q2", "q3", "q4", "q5"]
    assert all(item.n == 6 for item in items.values())
    assert items["q1"].facility == pytest.approx(1.0) and items["q1"].discrimination is None
    assert items["q2"].facility == pytest.approx(0.5)
    assert items["q2"].discrimination == pytest.approx(15.6174, abs=1e-3)
    assert items["q3"].facility == pytest.approx(1 / 3)
    assert items["q3"].discrimination == pytest.approx(50.0)
    assert items["q4"].facility == pytest.approx(1 / 3)
    assert items["q4"].discrimination == pytest.approx(77.4597, abs=1e-3)
    assert items["q4"].sd == pytest.approx(0.372678, abs=1e-6)
    assert items["q5"].facility == pytest.approx(1 / 6)
    assert items["q5"].discrimination == pytest.approx(-48.4544, abs=1e-3)
    assert {qid: item.flags for qid, item in items.items()} == {
        "q1": ("too-easy",),
        "q2": (),
        "q3": (),
        "q4": (),
        "q5": ("too-hard", "negative"),
    }
    wrong = items["q2"].wrong
    assert wrong is not None
    assert (wrong.response, wrong.label, wrong.count, wrong.share) == ('"b"', "Sai thứ nhất q2", 3, 0.6)
    # q3: B, D, E, F answered "b"; A's wrong first try ("c") counts among the 5 wrong answers
    assert items["q3"].wrong is not None
    assert (items["q3"].wrong.response, items["q3"].wrong.count, items["q3"].wrong.share) == ('"b"', 4, 0.8)
    assert items["q1"].wrong is None


@BOTH
def test_all_attempts_include_the_retake_but_not_the_unfinished_attempt(
    cohort_store: Store, how: str
) -> None:
    items = {i.question_id: i for i in analyse(cohort_store, how, which=ALL)}
    assert items["q5"].n == 7
    assert items["q5"].facility == pytest.approx(2 / 7)
    with pytest.raises(ValueError):
        analyse(cohort_store, how, which="best")


@BOTH
def test_clause_rollup_puts_the_least_understood_requirement_first(cohort_store: Store, how: str) -> None:
    rollup = clause_rollup(analyse(cohort_store, how), CLAUSES)
    assert [c.clause_id for c in rollup] == ["c3", "c2", "c1"]
    c3, c2, c1 = rollup
    assert (c3.items, c3.responses, c3.flagged, c3.weakest) == (1, 6, 1, "q5")
    assert c3.facility == pytest.approx(1 / 6)
    assert (c2.items, c2.responses, c2.flagged, c2.weakest) == (3, 18, 0, "q3")
    assert c2.facility == pytest.approx(7 / 18)
    assert (c1.items, c1.responses, c1.flagged, c1.weakest) == (2, 12, 1, "q2")
    assert c1.facility == pytest.approx(0.75)
    assert c1.label == "Yêu cầu c1"


def test_correlation_and_flag_thresholds() -> None:
    assert reference.correlation([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert reference.correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert reference.correlation([1], [1]) is None
    assert reference.correlation([1, 1, 1], [1, 2, 3]) is None
    assert flags_for(5, 0.91, 10.0) == ("too-easy",)
    assert flags_for(5, 0.90, 10.0) == ()
    assert flags_for(5, 0.20, 10.0) == ()
    assert flags_for(5, 0.19, -0.1) == ("too-hard", "negative")
    assert flags_for(4, 0.0, -50.0) == ()  # too few responses to judge
    assert flags_for(5, 0.5, -1.4e-15) == ()  # a zero covariance that rounding made negative


def test_response_labels_name_the_choices() -> None:
    multiple = Question("m", QuestionType.MULTIPLE, "?", (), "", SRC, choices=QUESTIONS["q1"].choices)
    assert response_label(multiple, '["a","c"]') == "Đúng q1 + Sai thứ hai q1"
    short = Question("s", QuestionType.SHORT, "?", (), "", SRC, choices=(Choice("a", "x", True, ""),))
    assert response_label(short, '"<b>gõ</b>"') == "«<b>gõ</b>»"  # escaped where shown, not here
    assert response_label(None, '"a"') == '"a"'
