"""The audit trail: an append-only table of who did what when (migration 6).

Sign-ins, refused sign-ins, PIN set and reset, lockouts, final-assessment attempts and
certificate issues each add one row: time, event, learner (if any) and a short detail. Rows
are never changed or deleted: the store offers no way to, and database triggers refuse
``UPDATE`` and ``DELETE`` on both backends. Deleting a learner keeps their trail (the ID in
it is keyed and names nobody without the installation's secret).
"""

from __future__ import annotations

import csv
import dataclasses as dc
import io
import json
from collections.abc import Iterable, Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from widgets.records.schema import audit_events

SIGN_IN = "sign_in"
SIGN_IN_NEW = "sign_in_new"
SIGN_IN_FAILED = "sign_in_failed"
SIGN_IN_LOCKED = "sign_in_locked"
SIGN_OUT = "sign_out"
PIN_SET = "pin_set"
PIN_RESET = "pin_reset"
LOCKOUT = "lockout"
FINAL_ATTEMPT = "final_attempt"
CERTIFICATE_ISSUED = "certificate_issued"
EVENTS = (
    SIGN_IN,
    SIGN_IN_NEW,
    SIGN_IN_FAILED,
    SIGN_IN_LOCKED,
    SIGN_OUT,
    PIN_SET,
    PIN_RESET,
    LOCKOUT,
    FINAL_ATTEMPT,
    CERTIFICATE_ISSUED,
)
"""The events the kit records; others may be added (an event is any short name)."""
EVENT_MAX = 40
DETAIL_MAX = 2000


@dc.dataclass(frozen=True, slots=True)
class AuditEvent:
    """One row of the trail."""

    id: int
    at: datetime
    event: str
    learner_id: str | None
    detail: str


def _jsonable(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def detail_text(detail: str | Mapping[str, object] | None) -> str:
    """A detail as stored: text as given, a mapping as compact JSON (sorted keys)."""
    if detail is None:
        return ""
    if isinstance(detail, Mapping):
        text = json.dumps(
            dict(detail), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
        )
    else:
        text = str(detail)
    return text[:DETAIL_MAX]


def record(
    conn: Connection,
    event: str,
    learner_id: str | None,
    detail: str | Mapping[str, object] | None,
    at: datetime,
) -> None:
    """Append one event inside the caller's transaction."""
    # The isinstance check guards untyped callers; mypy already knows ``event`` is a str.
    if not isinstance(event, str) or not event or len(event) > EVENT_MAX:  # type: ignore[redundant-expr]
        raise ValueError(f"an audit event is a name of 1 to {EVENT_MAX} characters, not {event!r}")
    conn.execute(
        audit_events.insert().values(at=at, event=event, learner_id=learner_id, detail=detail_text(detail))
    )


def select(
    *,
    event: str | None = None,
    learner_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = 1000,
    learner_ids: Iterable[str] | None = None,
) -> sa.Select[tuple[object, ...]]:
    """The events matching every filter given, newest first (``learner_ids``: any of them)."""
    query = sa.select(audit_events).order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
    if event:
        query = query.where(audit_events.c.event == event)
    if learner_id:
        query = query.where(audit_events.c.learner_id == learner_id)
    if learner_ids is not None:
        query = query.where(audit_events.c.learner_id.in_(list(learner_ids)))
    if since is not None:
        query = query.where(audit_events.c.at >= since)
    if until is not None:
        query = query.where(audit_events.c.at < until)
    if limit is not None:
        query = query.limit(limit)
    return query


def to_csv(events: Iterable[AuditEvent], names: Mapping[str, str] | None = None) -> str:
    """The events as CSV (UTF-8 text, header row): time (ISO, UTC), event, learner, name, detail.

    ``names`` maps learner IDs to "name (unit)" for the trainer's reading.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["time_utc", "event", "learner_id", "learner", "detail"])
    for item in events:
        name = (names or {}).get(item.learner_id or "", "")
        writer.writerow(
            [
                item.at.isoformat(timespec="seconds"),
                _cell(item.event),
                item.learner_id or "",
                _cell(name),
                _cell(item.detail),
            ]
        )
    return out.getvalue()
