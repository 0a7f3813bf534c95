"""Quiz scores: the distribution of counted scores, the pass rate and the attempts.

For each learner the counted attempt is the one the final assessment's policy counts (the
highest finished score, see :mod:`widgets.records.policy`); the pass rate is the share of
learners with a finished attempt whose counted attempt passed. Counted attempts tie on equal
percentages; the policy also treats percentages within 1e-9 as equal, which rounding alone
never produces between attempts.
"""

from __future__ import annotations

import dataclasses as dc
import statistics
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from widgets.records import policy
from widgets.records.schema import attempts
from widgets.records.statistics.filters import Filters, learner_ids, quiz_attempts

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


def score_report(conn: Connection, filters: Filters, quiz_id: str = policy.FINAL_ID) -> ScoreReport:
    """The scores of ``quiz_id`` (``final`` or a module's practice quiz) over the attempts
    started in the range."""
    mine = quiz_attempts(filters, learner_ids(filters), quiz_id)
    unfinished = sa.func.sum(sa.case((attempts.c.finished_at.is_(None), 1), else_=0))
    total, open_ = conn.execute(sa.select(sa.func.count(), unfinished).where(*mine)).one()
    per_learner = (
        sa.select(sa.func.count().label("n")).where(*mine).group_by(attempts.c.learner_id).subquery()
    )
    spread = conn.execute(sa.select(per_learner.c.n, sa.func.count()).group_by(per_learner.c.n)).all()
    best = counted_attempts(mine)
    counted = conn.execute(sa.select(best.c.percent, best.c.passed).where(best.c.rn == 1)).all()
    return make_report(
        quiz_id,
        ((percent, bool(passed)) for percent, passed in counted),
        total,
        int(open_ or 0),
        {int(n): int(count) for n, count in spread},
    )


def percent(table: sa.Table) -> sa.ColumnElement[float]:
    """100 · score / max score, NULL without a score or a maximum (as ``AttemptSummary.percent``)."""
    return sa.case((table.c.max_score != 0, 100.0 * table.c.score / table.c.max_score))


def counted_attempts(conditions: Sequence[sa.ColumnElement[bool]]) -> sa.Subquery:
    """Each learner's counted attempt among the quiz attempts meeting ``conditions`` (``rn = 1``):
    the highest finished percentage, the earliest on ties (:func:`policy.counted_attempt`)."""
    share = percent(attempts)
    return (
        sa.select(
            attempts.c.learner_id,
            share.label("percent"),
            attempts.c.passed,
            sa.func.row_number()
            .over(
                partition_by=attempts.c.learner_id,
                order_by=(share.desc(), attempts.c.started_at, attempts.c.id),
            )
            .label("rn"),
        )
        .where(
            *conditions, attempts.c.kind == "quiz", attempts.c.finished_at.is_not(None), share.is_not(None)
        )
        .subquery()
    )


def histogram(percents: Iterable[float], bins: int = BINS) -> tuple[int, ...]:
    """Counts per bin of ``100 / bins`` points; 100 falls in the last bin."""
    counts = [0] * bins
    for value in percents:
        index = min(bins - 1, max(0, int(value * bins // 100)))
        counts[index] += 1
    return tuple(counts)


def make_report(
    quiz_id: str,
    counted: Iterable[tuple[float, bool]],
    attempts: int,
    unfinished: int,
    per_learner: Mapping[int, int],
) -> ScoreReport:
    """The report from each learner's counted (percent, passed) and the attempt counts."""
    counted = list(counted)
    percents = sorted(value for value, _ in counted)
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
