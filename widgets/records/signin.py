"""Signing in: find or create the learner, check their PIN (or set it the first time), lock
sign-in after too many wrong PINs, and a trainer's reset. Called by
:class:`widgets.records.store.Store`; every write is one short transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.i18n import t
from widgets.records import audit as audit_trail
from widgets.records import db, identity, kiosk, pins, policy, queries, rows
from widgets.records.errors import PinLockedError, SignInError
from widgets.records.models import Learner
from widgets.records.schema import credentials, learners


def locked_message(until: datetime, now: datetime) -> str:
    """The learner's message while sign-in is locked until ``until``."""
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    local = until.astimezone(policy.COURSE_TZ)
    return t("signin.error.locked", tries=pins.MAX_TRIES, local=local, minutes=minutes)


def find_or_create(
    conn: Connection, entry: identity.SignIn, now: datetime, secret: Callable[[], bytes]
) -> tuple[sa.Row[Any], bool]:
    """The learner's row (role updated), and whether it was created now (its ID keyed with
    ``secret()``, read only then)."""
    row = queries.match_learner(conn, entry)
    if row is None:
        learner_id = entry.learner_id(secret())
        created = queries.add_learner(
            conn,
            learner_id,
            name=entry.name,
            unit=entry.unit,
            role=entry.role,
            staff_code=entry.staff_code,
            created_at=now,
        )
        return queries.one(conn, learners, learner_id), bool(created)
    if row.role != entry.role:
        conn.execute(learners.update().where(learners.c.id == row.id).values(role=entry.role))
        row = queries.one(conn, learners, row.id)
    return row, False


def authenticate(
    engine: Engine,
    clock: Callable[[], datetime],
    secret: Callable[[], bytes],
    entry: identity.SignIn,
    pin: object,
    pin_confirm: object,
) -> Learner:
    """:meth:`widgets.records.store.Store.authenticate` for a validated ``entry``."""
    typed = pins.normalise_pin(pin)
    now = clock()

    def find(conn: Connection) -> tuple[sa.Row[Any] | None, sa.Row[Any] | None]:
        row = queries.match_learner(conn, entry)
        if row is None:  # a new learner: created once their PIN is set
            return None, None
        match = credentials.c.learner_id == row.id
        cred = conn.execute(sa.select(credentials).where(match)).first()
        if cred is None or cred.pin_hash is None:
            return row, cred
        if cred.locked_until is not None and cred.locked_until > now:
            detail = {"until": cred.locked_until}
            audit_trail.record(conn, audit_trail.SIGN_IN_LOCKED, row.id, detail, now)
            return row, cred
        # Count this try before the (slow) check: parallel guesses cannot pass the limit.
        conn.execute(
            credentials.update()
            .where(match)
            .values(failed_tries=credentials.c.failed_tries + 1, locked_until=None)
        )
        return row, conn.execute(sa.select(credentials).where(match)).one()

    row, cred = db.write(engine, find)
    if row is None or cred is None or cred.pin_hash is None:
        return _set_first_pin(engine, secret, entry, typed, pin_confirm, now)
    if cred.locked_until is not None and cred.locked_until > now:
        raise PinLockedError(locked_message(cred.locked_until, now), cred.locked_until)
    if cred.failed_tries > pins.MAX_TRIES:  # parallel tries already used up this round
        return _lock(engine, row.id, cred.lockouts, now)
    if pins.check_pin(typed, cred.pin_hash, cred.pin_salt, cred.pin_params):
        if row.role != entry.role:
            row = db.write(engine, lambda conn: find_or_create(conn, entry, now, secret)[0])

        def succeed(conn: Connection) -> None:
            conn.execute(
                credentials.update()
                .where(credentials.c.learner_id == row.id)
                .values(failed_tries=0, lockouts=0, locked_until=None)
            )
            audit_trail.record(conn, audit_trail.SIGN_IN, row.id, None, now)

        db.write(engine, succeed)
        return rows.learner(row)
    if cred.failed_tries >= pins.MAX_TRIES:
        return _lock(engine, row.id, cred.lockouts, now)
    detail = {"tries": cred.failed_tries}
    failed_at = clock()
    db.write(
        engine, lambda conn: audit_trail.record(conn, audit_trail.SIGN_IN_FAILED, row.id, detail, failed_at)
    )
    left = pins.MAX_TRIES - cred.failed_tries
    raise SignInError(
        t("signin.error.wrong_pin", left=left, lock_minutes=int(pins.LOCK_BASE.total_seconds() // 60)),
        "pin",
    )


def _set_first_pin(
    engine: Engine,
    secret: Callable[[], bytes],
    entry: identity.SignIn,
    typed: str,
    pin_confirm: object,
    now: datetime,
) -> Learner:
    """A learner without a PIN (new, from before PINs, or reset) sets one; a new learner
    is created here, once the PIN is confirmed."""
    confirm = pin_confirm if isinstance(pin_confirm, str) else ""
    if not confirm.strip():
        raise SignInError(
            t("signin.error.set_pin"),
            "pin_confirm",
        )
    if pins.normalise_pin(confirm, "pin_confirm") != typed:
        raise SignInError(t("signin.error.pins_differ"), "pin_confirm")
    pin_hash, salt, params = pins.hash_pin(typed)
    values = {
        "pin_hash": pin_hash,
        "pin_salt": salt,
        "pin_params": params,
        "pin_set_at": now,
        "failed_tries": 0,
        "lockouts": 0,
        "locked_until": None,
    }

    def save(conn: Connection) -> sa.Row[Any] | None:
        row, created = find_or_create(conn, entry, now, secret)
        match = credentials.c.learner_id == row.id
        if conn.execute(sa.select(credentials.c.learner_id).where(match)).first() is None:
            if not db.insert_ignore(conn, credentials, {"learner_id": row.id, **values}):
                return None
        # set only if still unset: of two first sign-ins at once, the first one wins
        elif not conn.execute(
            credentials.update().where(match, credentials.c.pin_hash.is_(None)).values(**values)
        ).rowcount:
            return None
        event = audit_trail.SIGN_IN_NEW if created else audit_trail.PIN_SET
        audit_trail.record(conn, event, row.id, None, now)
        return row

    row = db.write(engine, save)
    if row is None:
        raise SignInError(t("signin.error.pin_just_set"), "pin")
    return rows.learner(row)


def _lock(engine: Engine, learner_id: str, lockouts: int, now: datetime) -> Learner:
    until = now + pins.lock_duration(lockouts)

    def run(conn: Connection) -> None:
        conn.execute(
            credentials.update()
            .where(credentials.c.learner_id == learner_id)
            .values(failed_tries=0, lockouts=credentials.c.lockouts + 1, locked_until=until)
        )
        audit_trail.record(
            conn, audit_trail.LOCKOUT, learner_id, {"until": until, "lockouts": lockouts + 1}, now
        )

    db.write(engine, run)
    raise PinLockedError(locked_message(until, now), until)


def has_pin(engine: Engine, learner_id: str) -> bool:
    """Whether the learner has set a PIN (and it has not been reset since)."""
    query = sa.select(credentials.c.pin_hash).where(credentials.c.learner_id == learner_id)
    return db.read(engine, lambda conn: conn.execute(query).scalar()) is not None


def locked_until(engine: Engine, learner_id: str, now: Callable[[], datetime]) -> datetime | None:
    """Until when the learner's sign-in is locked (``None`` if it is not, at ``now()``)."""
    query = sa.select(credentials.c.locked_until).where(credentials.c.learner_id == learner_id)
    until = db.read(engine, lambda conn: conn.execute(query).scalar())
    return until if until is not None and until > now() else None


def reset_pin(engine: Engine, learner_id: str, by: str, now: datetime) -> None:
    """A trainer's reset: the PIN, its lockout and the learner's sessions are gone (audited)."""

    def run(conn: Connection) -> None:
        queries.learner_row(conn, learner_id)
        conn.execute(credentials.delete().where(credentials.c.learner_id == learner_id))
        ended = kiosk.end_sessions_of(conn, learner_id)
        audit_trail.record(conn, audit_trail.PIN_RESET, learner_id, {"by": by, "sessions_ended": ended}, now)

    db.write(engine, run)
