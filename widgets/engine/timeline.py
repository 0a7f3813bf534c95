"""A clause's mastery over time: the state a learner's evidence gives at every later moment.

The trainer's retention report (``widgets.reports.retention``) asks, for a cohort, how many
learners were in each state (:class:`~widgets.engine.mastery.MasteryState`) at a dozen moments.
Replaying every answer of every learner at each request is what made it slow; a
:class:`ClauseTimeline` is the result of that replay for one learner and one clause, kept by the
records (``widgets.records.timelines``) and read back with a few comparisons per moment.

The state at a moment ``m`` counts the evidence given strictly before ``m`` and reads the schedule
at ``m`` (exactly :func:`~widgets.engine.mastery.mastery_map` at ``now = m`` over that evidence):

* before the first piece of evidence: ``new``;
* after an answer, until the next one: ``due`` from the schedule's date on (at once after a wrong
  answer), before it ``mastered`` if the answer completed the mastery rule (box, distinct right
  items, share of the latest outcomes), else ``learning``.

A timeline is those states as :class:`Span` s, ``[start, end)`` in time, consecutive and never two
of one state in a row. Times have a resolution of one microsecond (the records' own), so "after
an answer at ``t``" is "from ``t`` + :data:`RESOLUTION` on".
"""

from __future__ import annotations

import bisect
import dataclasses as dc
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from widgets.engine.mastery import MASTERY_BOX, MASTERY_ITEMS, MASTERY_SHARE, RECENT, MasteryState
from widgets.engine.review import ClauseSchedule, Outcome, step

RESOLUTION = timedelta(microseconds=1)
"""The finest time step of the records: the first moment after ``t`` is ``t + RESOLUTION``."""

Evidence = tuple[datetime, str, bool]
"""(when, item, right): one piece of evidence about one clause (``question:…``/``node:…``)."""


@dc.dataclass(frozen=True, slots=True)
class Span:
    """The clause is in ``state`` at every moment ``m`` with ``start <= m < end``."""

    state: MasteryState
    """``learning``, ``mastered`` or ``due`` (never ``new``: before the first span)."""
    start: datetime
    end: datetime | None
    """``None``: until further evidence."""


@dc.dataclass(frozen=True, slots=True)
class ClauseTimeline:
    """One learner's mastery of one clause at every moment after their first evidence on it."""

    clause_id: str
    first_at: datetime
    """The time of the first evidence."""
    mastered_at: datetime | None
    """The time of the answer after which the clause was mastered for the first time."""
    lapsed_at: datetime | None
    """The time of the first wrong answer after ``mastered_at`` ("missed again after mastery")."""
    spans: tuple[Span, ...]

    def state_at(self, moment: datetime) -> MasteryState:
        """The state at ``moment`` (counting the evidence before it)."""
        n = bisect.bisect_right([span.start for span in self.spans], moment)
        return self.spans[n - 1].state if n else MasteryState.NEW


def clause_timeline(clause_id: str, ordered: Sequence[Evidence]) -> ClauseTimeline:
    """The timeline of one clause from its evidence, in the order of
    :func:`~widgets.engine.review.schedule_clause` (time, then item, then wrong before right);
    ``ordered`` is not empty."""
    learning, mastered, due = MasteryState.LEARNING, MasteryState.MASTERED, MasteryState.DUE
    schedule = ClauseSchedule(clause_id)
    rights: set[str] = set()
    recent: deque[bool] = deque(maxlen=RECENT)
    mastered_at = lapsed_at = None
    states: list[MasteryState] = []  # the spans, merged as they come
    starts: list[datetime] = []
    ends: list[datetime | None] = []

    def add(state: MasteryState, start: datetime, end: datetime | None) -> None:
        if end is not None and end <= start:
            return
        if states and states[-1] is state:
            ends[-1] = end
        else:
            states.append(state)
            starts.append(start)
            ends.append(end)

    last = len(ordered) - 1
    for n, (moment, item, correct) in enumerate(ordered):
        if not correct or schedule.due_at is None or moment >= schedule.due_at:
            schedule = step(schedule, correct, moment)  # (a right answer before the date moves nothing)
        recent.append(correct)
        if correct:
            rights.add(item)
        kept = (
            mastered
            if schedule.box >= MASTERY_BOX
            and len(rights) >= MASTERY_ITEMS
            and sum(recent) / len(recent) >= MASTERY_SHARE
            else learning
        )
        if kept is mastered and mastered_at is None:
            mastered_at = moment
        elif not correct and mastered_at is not None and lapsed_at is None:
            lapsed_at = moment
        start = moment + RESOLUTION
        end = ordered[n + 1][0] + RESOLUTION if n < last else None
        due_at = schedule.due_at
        assert due_at is not None  # every answer dates the clause
        add(kept, start, due_at if end is None else min(due_at, end))
        add(due, max(start, due_at), end)
    return ClauseTimeline(
        clause_id,
        ordered[0][0],
        mastered_at,
        lapsed_at,
        tuple(map(Span, states, starts, ends)),
    )


def timelines(evidence: Iterable[Outcome]) -> dict[str, ClauseTimeline]:
    """Clause ID → its timeline, for every clause with evidence in ``evidence``."""
    by_clause: dict[str, list[Evidence]] = {}
    for outcome in evidence:
        by_clause.setdefault(outcome.clause_id, []).append((outcome.at, outcome.item_id, outcome.correct))
    return {cid: clause_timeline(cid, sorted(found)) for cid, found in by_clause.items()}
