"""Spaced review of the directive's clauses: a Leitner-style scheduler (pure, no clock of its own).

Each clause a learner has met sits in one of five boxes; a box says how long until the clause
is asked again:

=====  ========  =================================================================
box    interval  meaning
=====  ========  =================================================================
1      1 day     just learnt, or just relearnt after a wrong answer
2      3 days
3      7 days
4      14 days
5      30 days   the last box: a right answer keeps the clause here
=====  ========  =================================================================

The rules, applied to the clause's evidence (:class:`Outcome`) in time order:

* The first right answer puts a new clause in box 1: due one day later.
* A right answer given when the clause is due (at or after its date) moves it up one box (at
  most to box 5) and sets the date to that box's interval later. After a wrong answer, the
  next right answer only re-opens box 1 (due one day later), as Leitner's first box does.
* A right answer given before the date (the learner met the clause again early, e.g. in
  another module's quiz) changes nothing: the box and the date stay.
* A wrong answer sends the clause back to box 1 and makes it due at once (the same moment):
  it is reviewed again before anything else.

So a clause answered wrongly is never due later than the same clause answered rightly at the
same moment, and a right answer never shortens the clause's interval (the property tests in
``tests/unit/test_review_schedule.py`` check both).

Time comes from the caller: every function takes ``at``/``now``. A :class:`Clock` is what the
views pass around (``datetime.now(UTC)`` in production; tests use a fixed or moved clock, never
``sleep``).
"""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

INTERVALS: tuple[timedelta, ...] = tuple(timedelta(days=d) for d in (1, 3, 7, 14, 30))
"""The interval of box 1 … box 5."""
LAST_BOX = len(INTERVALS)


class Clock(Protocol):
    """What gives "now" (an aware datetime) to the review pages."""

    def __call__(self) -> datetime: ...


@dc.dataclass(frozen=True, slots=True)
class Outcome:
    """One piece of evidence about one clause: an item answered right or wrong at ``at``."""

    clause_id: str
    item_id: str
    """``question:<id>`` or ``node:<scenario>/<node>``: what was answered."""
    correct: bool
    at: datetime


@dc.dataclass(frozen=True, slots=True)
class ClauseSchedule:
    """Where one clause stands in the Leitner boxes."""

    clause_id: str
    box: int = 0
    """0: never met; 1–5: the Leitner box (a wrong answer puts the clause in box 1)."""
    due_at: datetime | None = None
    """When the clause is to be reviewed (``None``: never met)."""
    lapsed: bool = False
    """The latest answer was wrong (box 1, due at once)."""
    last_at: datetime | None = None

    @property
    def interval(self) -> timedelta:
        """The current box's interval (zero before the first right answer)."""
        return INTERVALS[self.box - 1] if self.box else timedelta(0)

    def is_due(self, now: datetime) -> bool:
        """Met, and its review date has come."""
        return self.due_at is not None and now >= self.due_at


def step(schedule: ClauseSchedule, correct: bool, at: datetime) -> ClauseSchedule:
    """The schedule after one answer at ``at`` (see the module docstring for the rules).

    (A new :class:`ClauseSchedule` is built directly rather than with ``dataclasses.replace``,
    several times slower: the trainer's retention report steps a whole cohort's evidence.)"""
    clause_id = schedule.clause_id
    if not correct:
        return ClauseSchedule(clause_id, box=1, due_at=at, lapsed=True, last_at=at)
    if schedule.due_at is None or schedule.box == 0:  # the first right answer
        return ClauseSchedule(clause_id, box=1, due_at=at + INTERVALS[0], lapsed=False, last_at=at)
    if at < schedule.due_at:  # early: nothing moves
        return ClauseSchedule(
            clause_id, box=schedule.box, due_at=schedule.due_at, lapsed=schedule.lapsed, last_at=at
        )
    box = 1 if schedule.lapsed else min(schedule.box + 1, LAST_BOX)
    return ClauseSchedule(clause_id, box=box, due_at=at + INTERVALS[box - 1], lapsed=False, last_at=at)


def schedule_clause(clause_id: str, outcomes: Iterable[Outcome]) -> ClauseSchedule:
    """The schedule of one clause after its outcomes (any order: sorted by time, then item)."""
    state = ClauseSchedule(clause_id)
    for outcome in sorted(outcomes, key=lambda o: (o.at, o.item_id, o.correct)):
        state = step(state, outcome.correct, outcome.at)
    return state


def schedules(clause_ids: Iterable[str], outcomes: Iterable[Outcome]) -> dict[str, ClauseSchedule]:
    """Clause ID → its schedule, for every clause in ``clause_ids`` (met or not)."""
    by_clause: dict[str, list[Outcome]] = {cid: [] for cid in clause_ids}
    for outcome in outcomes:
        if outcome.clause_id in by_clause:
            by_clause[outcome.clause_id].append(outcome)
    return {cid: schedule_clause(cid, found) for cid, found in by_clause.items()}


def due_clauses(found: dict[str, ClauseSchedule], now: datetime) -> list[str]:
    """The clauses due at ``now``, the longest overdue first (then in the given order)."""
    due = [(s.due_at, i, cid) for i, (cid, s) in enumerate(found.items()) if s.is_due(now)]
    return [cid for *_, cid in sorted(due)]


def next_review(found: dict[str, ClauseSchedule], now: datetime) -> datetime | None:
    """The earliest review date after ``now`` (``None`` if no clause is waiting)."""
    later = [s.due_at for s in found.values() if s.due_at is not None and s.due_at > now]
    return min(later) if later else None
