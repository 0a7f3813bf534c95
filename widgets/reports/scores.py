"""Quiz scores: the distribution of counted scores, the pass rate and the attempts.

For each learner the counted attempt is the one the final assessment's policy counts (the
highest finished score, see :mod:`widgets.records.policy`); the pass rate is the share of
learners with a finished attempt whose counted attempt passed.
"""

from __future__ import annotations

import dataclasses as dc
import statistics
from collections.abc import Iterable, Mapping

from widgets.records import policy
from widgets.records.models import AttemptSummary
from widgets.reports.queries import group_by_learner

BINS = 10
"""Histogram bins of 10 percentage points: [0,10), …, [80,90), [90,100]."""


@dc.dataclass(frozen=True, slots=True)
class ScoreReport:
    quiz_id: str
    learners: int
    """Learners with at least one finished attempt."""
    passed: int
    percents: tuple[float, ...]
    """Each learner's counted score in percent, ascending."""
    histogram: tuple[int, ...]
    attempts: int
    """Attempts started (finished or not)."""
    unfinished: int
    attempts_per_learner: dict[int, int]
    """Number of attempts → learners who started that many."""

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.learners if self.learners else None

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.percents) if self.percents else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.percents) if self.percents else None

    @property
    def mean_attempts(self) -> float | None:
        starters = sum(self.attempts_per_learner.values())
        return self.attempts / starters if starters else None


def histogram(percents: Iterable[float], bins: int = BINS) -> tuple[int, ...]:
    """Counts per bin of ``100 / bins`` points; 100 falls in the last bin."""
    counts = [0] * bins
    for percent in percents:
        index = min(bins - 1, max(0, int(percent * bins // 100)))
        counts[index] += 1
    return tuple(counts)


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


def make_report(
    quiz_id: str,
    counted: Iterable[tuple[float, bool]],
    attempts: int,
    unfinished: int,
    per_learner: Mapping[int, int],
) -> ScoreReport:
    """The report from each learner's counted (percent, passed) and the attempt counts."""
    counted = list(counted)
    percents = sorted(percent for percent, _ in counted)
    return ScoreReport(
        quiz_id=quiz_id,
        learners=len(percents),
        passed=sum(1 for _, passed in counted if passed),
        percents=tuple(percents),
        histogram=histogram(percents),
        attempts=attempts,
        unfinished=unfinished,
        attempts_per_learner=dict(sorted(per_learner.items())),
    )
