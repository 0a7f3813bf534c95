"""Item analysis as Moodle's quiz statistics report defines it, and its roll-up per clause.

For one quiz (``final`` or a module's practice quiz), over the finished attempts included
(``which="first"``: each learner's first finished attempt, the default; ``"all"``: every
finished attempt), each question's mark in an attempt is its last try (highest ``try_no``).
Questions drawn at random are analysed over the attempts that drew them.

* **Facility index** F = mean of mark / max mark, in [0, 1] (Moodle shows it as a percentage).
* **Discrimination index** D = 100 × cov(x, r) / √(var(x) · var(r)), where x is the item's
  mark and r the rest of the test (the attempt's total mark minus x) — Moodle's formula;
  ``None`` when fewer than two attempts or either variance is zero.
* **Most-chosen wrong answer**: the commonest response not given full marks, over every try.

Flags (only with at least :data:`MIN_RESPONSES` attempts): ``too-easy`` when F > 0.90,
``too-hard`` when F < 0.20 (Moodle's bands call 90–100 % "very/extremely easy" and 20 % and
below "difficult" or worse), ``negative`` when D < 0 (the item favours weaker learners:
check the key; a D within :data:`ROUNDING` of 0 is 0, whatever sign rounding gave it).
"""

from __future__ import annotations

import dataclasses as dc
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from widgets.content.model import Clause, Question
from widgets.engine.solution import response_label
from widgets.records.models import AttemptSummary
from widgets.reports.queries import AnswerRow

TOO_EASY = 0.90
TOO_HARD = 0.20
MIN_RESPONSES = 5
FIRST, ALL = "first", "all"
FLAGS = ("too-easy", "too-hard", "negative")
ROUNDING = 1e-9
"""Discrimination indices closer than this to 0 are 0 (a zero covariance summed in floating point)."""


@dc.dataclass(frozen=True, slots=True)
class WrongAnswer:
    response: str
    """The stored response (canonical JSON)."""
    label: str
    """The response in words (choice texts, typed text)."""
    count: int
    share: float
    """Of all wrong responses to the item."""


@dc.dataclass(frozen=True, slots=True)
class ItemStat:
    question_id: str
    module_id: str
    stem: str
    cites: tuple[str, ...]
    n: int
    """Attempts with a mark for this item."""
    facility: float | None
    sd: float | None
    """Standard deviation of mark / max (population)."""
    discrimination: float | None
    wrong: WrongAnswer | None
    flags: tuple[str, ...]


@dc.dataclass(frozen=True, slots=True)
class ClauseStat:
    clause_id: str
    label: str
    items: int
    responses: int
    facility: float | None
    """Pooled: mean mark / max over every response to the items citing the clause."""
    flagged: int
    weakest: str | None
    """The citing item with the lowest facility."""


def included_attempts(
    attempts: Iterable[AttemptSummary], quiz_id: str, which: str = FIRST
) -> dict[str, AttemptSummary]:
    """Attempt ID → finished attempt of ``quiz_id`` to analyse."""
    if which not in (FIRST, ALL):
        raise ValueError(f"which must be {FIRST!r} or {ALL!r}")
    finished = sorted(
        (a for a in attempts if a.kind == "quiz" and a.activity_id == quiz_id and a.finished),
        key=lambda a: (a.started_at, a.id),
    )
    if which == ALL:
        return {a.id: a for a in finished}
    first: dict[str, AttemptSummary] = {}
    for attempt in finished:
        first.setdefault(attempt.learner_id, attempt)
    return {a.id: a for a in first.values()}


def attempt_marks(
    answers: Iterable[AnswerRow], included: Mapping[str, object]
) -> dict[str, dict[str, AnswerRow]]:
    """Attempt ID → question ID → the answer that counts (the last try: highest ``try_no``)."""
    marks: dict[str, dict[str, AnswerRow]] = defaultdict(dict)
    for row in answers:
        if row.attempt_id not in included:
            continue
        held = marks[row.attempt_id].get(row.question_id)
        if held is None or (row.try_no, row.id) > (held.try_no, held.id):
            marks[row.attempt_id][row.question_id] = row
    return marks


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or ``None`` for fewer than two pairs or a constant series."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    cov = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    vx = math.fsum((x - mx) ** 2 for x in xs)
    vy = math.fsum((y - my) ** 2 for y in ys)
    return pearson(n, cov, vx, vy)


def pearson(n: int, cov: float, vx: float, vy: float) -> float | None:
    """r from the centred sums Σ(x−x̄)(y−ȳ), Σ(x−x̄)², Σ(y−ȳ)²; ``None`` as in :func:`correlation`."""
    if n < 2 or vx <= 1e-12 or vy <= 1e-12:
        return None
    return cov / math.sqrt(vx * vy)


def item_statistics(
    answers: Iterable[AnswerRow],
    attempts: Iterable[AttemptSummary],
    quiz_id: str,
    questions: Mapping[str, Question] | None = None,
    *,
    which: str = FIRST,
) -> list[ItemStat]:
    """One :class:`ItemStat` per question answered in the included attempts of ``quiz_id``,
    in the order of ``questions`` (the course's), unknown questions last."""
    questions = questions or {}
    answers = list(answers)
    included = included_attempts(attempts, quiz_id, which)
    marks = attempt_marks(answers, included)
    totals = {attempt_id: math.fsum(a.score for a in rows.values()) for attempt_id, rows in marks.items()}
    per_item: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    module_of: dict[str, str] = {}
    for attempt_id, rows in marks.items():
        for question_id, row in rows.items():
            fraction = row.score / row.max_score if row.max_score else 0.0
            per_item[question_id].append((row.score, totals[attempt_id] - row.score, fraction))
            module_of.setdefault(question_id, row.module_id)
    wrong: dict[str, Counter[str]] = defaultdict(Counter)
    for row in answers:
        if row.attempt_id in included and not row.correct:
            wrong[row.question_id][row.response] += 1
    result = []
    for question_id in course_order(per_item, questions):
        values = per_item[question_id]
        fractions = [f for _, _, f in values]
        n = len(values)
        facility = math.fsum(fractions) / n
        sd = math.sqrt(math.fsum((f - facility) ** 2 for f in fractions) / n)
        r = correlation([x for x, _, _ in values], [rest for _, rest, _ in values])
        result.append(
            item_stat(
                question_id, module_of[question_id], questions.get(question_id), n, facility, sd, r, wrong
            )
        )
    return result


def course_order(question_ids: Iterable[str], questions: Mapping[str, Question]) -> list[str]:
    """The IDs in the order of ``questions`` (the course's), unknown ones last by ID."""
    order = {qid: n for n, qid in enumerate(questions)}
    return sorted(question_ids, key=lambda q: (order.get(q, len(order)), q))


def item_stat(
    question_id: str,
    module_id: str,
    question: Question | None,
    n: int,
    facility: float,
    sd: float,
    r: float | None,
    wrong: Mapping[str, Counter[str]],
) -> ItemStat:
    """One item's statistics from its figures; ``wrong``: question ID → wrong response counts."""
    discrimination = None if r is None else 100.0 * r
    return ItemStat(
        question_id=question_id,
        module_id=module_id,
        stem=question.stem if question else "",
        cites=question.cites if question else (),
        n=n,
        facility=facility,
        sd=sd,
        discrimination=discrimination,
        wrong=_top_wrong(wrong.get(question_id), question),
        flags=flags_for(n, facility, discrimination),
    )


def flags_for(n: int, facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    """The flags of an item (see the module docstring for the thresholds)."""
    if n < MIN_RESPONSES or facility is None:
        return ()
    flags = []
    if facility > TOO_EASY:
        flags.append("too-easy")
    if facility < TOO_HARD:
        flags.append("too-hard")
    if discrimination is not None and discrimination < -ROUNDING:
        flags.append("negative")
    return tuple(flags)


def clause_rollup(items: Iterable[ItemStat], clauses: Sequence[Clause]) -> list[ClauseStat]:
    """Per clause, the items citing it; least understood (lowest facility) first."""
    citing: dict[str, list[ItemStat]] = defaultdict(list)
    for item in items:
        for clause_id in dict.fromkeys(item.cites):
            citing[clause_id].append(item)
    labels = {clause.id: clause.label for clause in clauses}
    position = {clause.id: n for n, clause in enumerate(clauses)}
    result = []
    for clause_id, members in citing.items():
        answered = [item for item in members if item.n and item.facility is not None]
        responses = sum(item.n for item in answered)
        weighted = [item.facility * item.n for item in answered if item.facility is not None]  # all of them
        pooled = math.fsum(weighted) / responses if responses else None
        weakest = min(answered, key=lambda item: (item.facility, item.question_id), default=None)
        result.append(
            ClauseStat(
                clause_id=clause_id,
                label=labels.get(clause_id, ""),
                items=len(members),
                responses=responses,
                facility=pooled,
                flagged=sum(1 for item in members if item.flags),
                weakest=weakest.question_id if weakest else None,
            )
        )
    result.sort(
        key=lambda c: (c.facility is None, c.facility or 0.0, position.get(c.clause_id, len(position)))
    )
    return result


def _top_wrong(counts: Counter[str] | None, question: Question | None) -> WrongAnswer | None:
    if not counts:
        return None
    total = sum(counts.values())
    response, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return WrongAnswer(response, response_label(question, response), count, count / total)
