"""Retention by clause: which requirements of the directive do people forget?

For the learners a trainer chose (unit, role, time range:
:func:`~widgets.records.statistics.filters.learner_ids`), at a series of moments
(:func:`moments`), how many learners are in each mastery state on each clause — ``đã vững``
(mastered) and ``cần ôn`` (due) above all — and, per clause, how many learners answered it
wrongly again after they had mastered it.

The states are the learner's own ("Nắm vững" on the home page): the evidence rules of
:func:`widgets.engine.mastery.outcomes`, the Leitner schedule of
:func:`widgets.engine.review.step` and the rule of :func:`widgets.engine.mastery.state_of`.
The state at a moment ``m`` counts the evidence given before ``m`` and reads the schedule at
``m``. Evidence from before the range counts too (a clause learnt in March is still learnt in
April); the module filter does not apply (a clause is cited across modules).

*Missed again after mastery* ("quên sau khi đã vững"): after some answer the clause was
mastered, and a later answer on it (before the range's end) was wrong.

Nothing is replayed here: every learner's replay is kept by the records
(:mod:`widgets.records.timelines`, refreshed with each answer and choice) as state spans, and
the counts at the moments come from one read of the cohort's spans (by bisection, with numpy).
On the 10,000-learner benchmark store that is a few tenths of a second where replaying about
0.9 M answers took 4–5 s. ``tests/reports/test_retention.py`` checks the figures against a
hand-made cohort, against :func:`widgets.engine.mastery.mastery_map` learner by learner, and
against that replay (``tests/reference/retention.py``).
"""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from widgets.content.model import Course
from widgets.engine.mastery import MasteryState
from widgets.records.policy import COURSE_TZ
from widgets.records.statistics.filters import Filters
from widgets.records.statistics.snapshot import Statistics

MAX_MOMENTS = 12
"""At most this many moments on the time axis."""


@dc.dataclass(frozen=True, slots=True)
class ClauseRetention:
    clause_id: str
    label: str
    counts: Mapping[MasteryState, tuple[int, ...]]
    """Learners in each state at each moment."""
    ever_mastered: int
    """Learners who had mastered the clause at some time before the range's end."""
    forgot: int
    """Of those, the learners who answered it wrongly afterwards."""

    @property
    def forget_rate(self) -> float | None:
        return self.forgot / self.ever_mastered if self.ever_mastered else None


@dc.dataclass(frozen=True, slots=True)
class Retention:
    moments: tuple[datetime, ...]
    """The moments (aware, the end of each period: evidence before it counts)."""
    learners: int
    """Learners of the filters: the denominator of every share."""
    clauses: tuple[ClauseRetention, ...]

    def share(self, clause_id: str, state: MasteryState) -> tuple[float, ...]:
        """The share of the learners in ``state`` on ``clause_id`` at each moment (0 without learners)."""
        row = next(c for c in self.clauses if c.clause_id == clause_id)
        return tuple(n / self.learners if self.learners else 0.0 for n in row.counts[state])

    def most_forgotten(self) -> list[ClauseRetention]:
        """Clauses by forget rate, highest first (those never mastered last)."""
        return sorted(self.clauses, key=lambda c: (c.forget_rate is None, -(c.forget_rate or 0.0), -c.forgot))


def moments(start: datetime, end: datetime, most: int = MAX_MOMENTS) -> tuple[datetime, ...]:
    """Ends of periods from ``start``'s day to ``end`` (inclusive), in the course's time zone:
    days, weeks or 30-day months, the shortest that gives at most ``most`` moments (or longer,
    evenly); the last is ``end`` itself."""
    first = datetime.combine(
        start.astimezone(COURSE_TZ).date() + timedelta(days=1), datetime.min.time(), COURSE_TZ
    )
    if end <= first:
        return (end,)
    span = (end - first).total_seconds() / 86400
    days = next((d for d in (1, 7, 30) if span / d < most), None) or -(-int(span) // (most - 1))
    found: list[datetime] = []
    moment = first
    while moment < end and len(found) < most - 1:
        found.append(moment)
        moment += timedelta(days=days)
    return (*found, end)


def retention(
    statistics: Statistics,
    course: Course,
    filters: Filters | None = None,
    *,
    now: datetime | None = None,
) -> Retention:
    """The retention figures for the learners of ``filters``, up to ``until`` (or ``now``).

    The stored timelines come from :meth:`Statistics.retention_cohort
    <widgets.records.statistics.snapshot.Statistics.retention_cohort>` (refreshed first where
    missing or computed under other content, then read in one snapshot)."""
    filters = filters or Filters()
    end = filters.until or now or datetime.now(UTC)
    cohort, found = statistics.retention_cohort(course, filters)
    start = filters.since or found.first_evidence(end) or end
    at = moments(start, end)
    labels = {clause.id: clause.label for clause in course.directive.clauses}
    counts = found.state_counts(at)
    mastered, forgot = found.ever_mastered(end), found.forgot(end)
    clauses = []
    for n, clause_id in enumerate(found.clause_ids):
        series: dict[MasteryState, tuple[int, ...]] = dict(counts[n])
        met = [sum(values[j] for values in counts[n].values()) for j in range(len(at))]
        series[MasteryState.NEW] = tuple(cohort - m for m in met)
        ordered = {state: series[state] for state in MasteryState}
        clauses.append(ClauseRetention(clause_id, labels.get(clause_id, ""), ordered, mastered[n], forgot[n]))
    return Retention(at, cohort, tuple(clauses))
