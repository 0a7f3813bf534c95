"""Learners who are JupyterHub users: the Hub proved who they are, the kit keeps their profile.

Under JupyterHub (``deploy/jupyterhub/``) each user's server runs the learner site, and the Hub
has already authenticated whoever reaches it. The learner is then the Hub user
(:mod:`widgets.runtime.hub` reads the name from the server's environment); their ID is
:func:`identity.hub_learner_id`, keyed like every other learner ID under the installation's
identity secret, so that nobody can work it out from the user name, and it never equals the ID
of a learner who signs in with name + unit or staff code. There is no PIN: the name/unit form
appears once, to fill the profile (name, unit, role), and is never asked again.

A Hub learner's ``credentials`` row holds :data:`HUB_MARK` instead of a PIN hash, which no PIN
ever matches: a sign-in form elsewhere on the same database (a learner site that is not behind
the Hub) that happens to match the Hub learner's name and unit asks for a PIN and never gets
one, so it cannot take over the profile by setting a first PIN.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from widgets.records import audit, db, identity, queries, rows
from widgets.records.models import Learner
from widgets.records.schema import audit_events, credentials, learners
from widgets.records.store import Store

HUB_MARK = "jupyterhub"
"""``pin_hash`` and ``pin_params`` of a Hub learner: not a scrypt hash, so no PIN checks."""
VIA = {"via": "jupyterhub"}
"""The audit detail of a Hub learner's events (the Hub user name is not written)."""


def hub_learner_id(store: Store, hub_user: str) -> str:
    """The learner ID of ``hub_user`` in this installation."""
    return identity.hub_learner_id(store.identity_secret, hub_user)


def hub_learner(store: Store, hub_user: str) -> Learner | None:
    """The Hub user's learner, or ``None`` until they have filled the profile. A learner whose
    mark a trainer's PIN reset removed gets it back (no PIN can be set on a Hub learner)."""
    learner = store.get_learner(hub_learner_id(store, hub_user))
    if learner is not None and not store.has_pin(learner.id):
        db.write(store.engine, lambda conn: mark_hub_learner(conn, learner.id))
    return learner


def save_hub_profile(store: Store, hub_user: str, name: object, unit: object, role: object) -> Learner:
    """Create the Hub user's learner from the profile form (validated as any sign-in, no staff
    code, no PIN) and return it; a profile that already exists is returned unchanged.

    Raises :class:`~widgets.records.errors.SignInError` (Vietnamese) for a bad field.
    """
    entry = identity.validate_sign_in(name, unit, role)
    learner_id = hub_learner_id(store, hub_user)
    now = store.clock()

    def save(conn: Connection) -> Row[Any]:
        created = db.insert_ignore(
            conn,
            learners,
            {
                "id": learner_id,
                "full_name": entry.name,
                "unit": entry.unit,
                "role": entry.role,
                "staff_code": None,
                "name_key": entry.name_key,
                "unit_key": entry.unit_key,
                "created_at": now,
            },
        )
        mark_hub_learner(conn, learner_id)
        if created:
            audit.record(conn, audit.SIGN_IN_NEW, learner_id, VIA, now)
        return queries.one(conn, learners, learner_id)

    return rows.learner(db.write(store.engine, save))


def note_sign_in(store: Store, learner_id: str, *, within: timedelta) -> bool:
    """Record a Hub user's arrival as a ``sign_in`` (``{"via": "jupyterhub"}``) unless they
    have one, or their profile's creation, in the last ``within``: one event per working
    session, not one per page. Returns whether it was recorded."""
    now = store.clock()
    recent = (
        sa.select(audit_events.c.id)
        .where(
            audit_events.c.learner_id == learner_id,
            audit_events.c.event.in_((audit.SIGN_IN, audit.SIGN_IN_NEW)),
            audit_events.c.at >= now - within,
        )
        .limit(1)
    )

    def run(conn: Connection) -> bool:
        if conn.execute(recent).first() is not None:
            return False
        audit.record(conn, audit.SIGN_IN, learner_id, VIA, now)
        return True

    return db.write(store.engine, run)


def mark_hub_learner(conn: Connection, learner_id: str) -> None:
    """Give the learner the credentials row no PIN matches (:data:`HUB_MARK`), unless they
    already have one."""
    match = credentials.c.learner_id == learner_id
    if conn.execute(sa.select(credentials.c.learner_id).where(match)).first() is not None:
        conn.execute(
            credentials.update()
            .where(match, credentials.c.pin_hash.is_(None))
            .values(pin_hash=HUB_MARK, pin_salt="", pin_params=HUB_MARK)
        )
        return
    db.insert_ignore(
        conn,
        credentials,
        {
            "learner_id": learner_id,
            "pin_hash": HUB_MARK,
            "pin_salt": "",
            "pin_params": HUB_MARK,
            "pin_set_at": None,
            "failed_tries": 0,
            "lockouts": 0,
            "locked_until": None,
        },
    )
