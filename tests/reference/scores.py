"""A quiz's scores over every loaded attempt (the reference for
:func:`widgets.records.statistics.scores.score_report`)."""

from __future__ import annotations

from collections.abc import Iterable

from reference.cohort import group_by_learner
from widgets.records import policy
from widgets.records.models import AttemptSummary
from widgets.records.statistics.scores import ScoreReport, make_report


def score_report(attempts: Iterable[AttemptSummary], quiz_id: str = policy.FINAL_ID) -> ScoreReport:
    """The report for one quiz (``final`` or a module's practice quiz)."""
    mine = [a for a in attempts if a.kind == "quiz" and a.activity_id == quiz_id]
    counted: list[tuple[float, bool]] = []
    per_learner: dict[int, int] = {}
    for learner_attempts in group_by_learner(mine).values():
        count = len(learner_attempts)
        per_learner[count] = per_learner.get(count, 0) + 1
        best = policy.counted_attempt(learner_attempts)
        if best is None or best.percent is None:
            continue
        counted.append((best.percent, bool(best.passed)))
    unfinished = sum(1 for a in mine if not a.finished)
    return make_report(quiz_id, counted, len(mine), unfinished, per_learner)
