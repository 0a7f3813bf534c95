"""The final assessment's policy as the records see it: :class:`FinalStatus` from the learner's
final attempts. The rules themselves (the daily limit, the counted attempt, what unlocks the
final and the certificate) are in the pure core, :mod:`widgets.engine.progress`, and
:class:`widgets.session.LearnerSession` enforces them.
"""

from __future__ import annotations

from datetime import datetime

from widgets.engine.progress import (
    COURSE_TZ,
    FINAL_ID,
    MAX_FINAL_ATTEMPTS_PER_DAY,
    attempts_on_day,
    counted_attempt,
    local_day,
)
from widgets.records.models import AttemptSummary, FinalStatus

__all__ = [
    "COURSE_TZ",
    "FINAL_ID",
    "MAX_FINAL_ATTEMPTS_PER_DAY",
    "attempts_on_day",
    "counted_attempt",
    "final_status",
    "local_day",
]


def final_status(finals: list[AttemptSummary], now: datetime) -> FinalStatus:
    """The final assessment's state for the views, from the learner's final attempts."""
    today = attempts_on_day(finals, now)
    open_ids = [a.id for a in sorted(finals, key=lambda a: a.started_at) if not a.finished]
    return FinalStatus(
        attempts=tuple(finals),
        attempts_today=today,
        attempts_left_today=max(0, MAX_FINAL_ATTEMPTS_PER_DAY - today),
        best=counted_attempt(finals),
        open_attempt_id=open_ids[-1] if open_ids else None,
        next_day_starts=local_day(now)[1],
    )
