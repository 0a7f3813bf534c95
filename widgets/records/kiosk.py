"""Sign-in sessions: every page's URL carries a random token, never the learner ID.

One mechanism for the desk site, the kiosk and JupyterLab (the table keeps its first name,
``kiosk_sessions``). A token (``secrets.token_urlsafe(32)``, 256 bits) stands for one learner
who proved who they are (name, unit and PIN). Only its SHA-256 is stored. It
lives while it is used: each use moves its expiry to ``now + ttl`` (the mode's idle time);
signing out (Kết thúc, the idle reset) deletes it; an expired token counts as ended and its
row is deleted when met. A page opened with an ended, expired or unknown token gets
``None``: the start screen, no learner data. Each function runs inside its caller's
transaction: the views and the session reach them through the ``Store``'s session methods
(:meth:`~widgets.records.store.Store.open_session` and the rest). Plain SQLAlchemy Core.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import TypeGuard

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from widgets.records.schema import kiosk_sessions

TOKEN_BYTES = 32
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
"""``secrets.token_urlsafe(32)``: 43 URL-safe characters."""


def token_hash(token: str) -> str:
    """What the table stores for ``token`` (hex SHA-256)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: object) -> TypeGuard[str]:
    """Whether ``token`` could have come from :func:`open_session` (cheap check first)."""
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def check_ttl(ttl: timedelta) -> None:
    if ttl <= timedelta(0):
        raise ValueError("a kiosk session needs a positive time to live")


def open_session(conn: Connection, learner_id: str, *, ttl: timedelta, now: datetime) -> str:
    """Start a session for ``learner_id`` that ends after ``ttl`` unused; returns its token.

    Sessions expired by ``now`` are deleted on the way (nothing else cleans the table).
    """
    check_ttl(ttl)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = {"token_hash": token_hash(token), "learner_id": learner_id, "started_at": now}
    row["expires_at"] = now + ttl
    conn.execute(kiosk_sessions.delete().where(kiosk_sessions.c.expires_at <= now))
    conn.execute(kiosk_sessions.insert(), row)
    return token


def resume_session(conn: Connection, token: object, *, ttl: timedelta, now: datetime) -> str | None:
    """The learner of a live session, whose expiry slides to ``now + ttl``; else ``None``.

    One ``UPDATE … RETURNING``: a session ended at the same moment is not brought back. The
    caller skips the transaction for a token that is not :func:`well_formed`.
    """
    check_ttl(ttl)
    if not well_formed(token):
        return None
    match = kiosk_sessions.c.token_hash == token_hash(token)
    slid = conn.execute(
        kiosk_sessions.update()
        .where(match, kiosk_sessions.c.expires_at > now)
        .values(expires_at=now + ttl)
        .returning(kiosk_sessions.c.learner_id)
    ).first()
    if slid is None:
        conn.execute(kiosk_sessions.delete().where(match))  # expired (or unknown): gone
        return None
    return str(slid.learner_id)


def end_session(conn: Connection, token: object) -> bool:
    """Sign out: delete the session; whether it existed."""
    if not well_formed(token):
        return False
    deleted = conn.execute(kiosk_sessions.delete().where(kiosk_sessions.c.token_hash == token_hash(token)))
    return deleted.rowcount > 0


def end_sessions_of(conn: Connection, learner_id: str) -> int:
    """End every session of one learner (a PIN reset)."""
    return int(
        conn.execute(kiosk_sessions.delete().where(kiosk_sessions.c.learner_id == learner_id)).rowcount
    )


def live_sessions(conn: Connection, learner_id: str, *, now: datetime) -> int:
    """How many unexpired sessions ``learner_id`` has (reports and tests)."""
    query = (
        sa.select(sa.func.count())
        .select_from(kiosk_sessions)
        .where(kiosk_sessions.c.learner_id == learner_id, kiosk_sessions.c.expires_at > now)
    )
    return int(conn.execute(query).scalar_one())
