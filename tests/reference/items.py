"""Moodle's item analysis over every loaded answer (the reference for
:func:`widgets.records.statistics.items.item_statistics`; the definitions are in that module)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from reference.cohort import AnswerRow
from widgets.content.model import Question
from widgets.records.models import AttemptSummary
from widgets.records.statistics.items import ALL, FIRST, ItemStat, course_order, item_stat, pearson


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
