"""The final assessment's policy, in one place.

* The final assessment (quiz ID :data:`FINAL_ID`) unlocks when every required module is
  complete (the views check :attr:`Progress.modules_complete`).
* A learner may start at most :data:`MAX_FINAL_ATTEMPTS_PER_DAY` (3) final attempts per
  calendar day in Asia/Ho_Chi_Minh (UTC+7); the count resets at local midnight. An attempt
  counts when it starts, finished or not; an unfinished attempt is resumed, not restarted.
* The counted result is the highest finished score (ties: the earliest such attempt); the
  learner has passed once any attempt reaches the pass mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from widgets.records.models import AttemptSummary, FinalStatus

FINAL_ID = "final"
MAX_FINAL_ATTEMPTS_PER_DAY = 3


def _course_tz() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # no tz database: Vietnam has kept UTC+7 without DST since 1975
        return timezone(timedelta(hours=7), "ICT")


COURSE_TZ = _course_tz()


def local_day(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds ``[start, end)`` of the Asia/Ho_Chi_Minh calendar day of ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(COURSE_TZ)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=1)).replace(hour=0)
    return start.astimezone(UTC), end.astimezone(UTC)


def attempts_on_day(attempts: Iterable[AttemptSummary], moment: datetime) -> int:
    """How many of ``attempts`` started on the local calendar day of ``moment``."""
    start, end = local_day(moment)
    return sum(1 for attempt in attempts if start <= attempt.started_at < end)


def counted_attempt(attempts: Iterable[AttemptSummary]) -> AttemptSummary | None:
    """The attempt that counts: the highest finished percentage, the earliest on ties."""
    best: AttemptSummary | None = None
    for attempt in sorted(attempts, key=lambda a: a.started_at):
        percent = attempt.percent
        if not attempt.finished or percent is None:
            continue
        if best is None or percent > (best.percent or 0.0) + 1e-9:
            best = attempt
    return best


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
