"""Session tokens through the Store: token → learner, sliding expiry, sign-out, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from widgets.records import kiosk
from widgets.records.errors import SessionRefusedError
from widgets.records.identity import STAFF
from widgets.records.schema import kiosk_sessions
from widgets.records.store import Store

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
TTL = timedelta(minutes=3)


def learner_id(store: Store, name: str = "Lò Văn Kiốt") -> str:
    return store.sign_in(name, "Sở Nội vụ", STAFF).id


def at(store: Store, moment: datetime) -> Store:
    """The store with its clock stopped at ``moment``."""
    store.clock = lambda: moment
    return store


def open_at(store: Store, who: str, moment: datetime, ttl: timedelta = TTL) -> str:
    return at(store, moment).open_session(who, ttl)


def resume_at(store: Store, token: object, moment: datetime, ttl: timedelta = TTL) -> str | None:
    """The learner the token names at ``moment`` (its expiry slides), or ``None``."""
    try:
        return at(store, moment).resume_session(token, ttl).id
    except SessionRefusedError:
        return None


def rows(store: Store) -> list[sa.Row]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(kiosk_sessions)))


def test_token_names_the_learner_without_carrying_the_id(store: Store) -> None:
    who = learner_id(store)
    token = open_at(store, who, T0)

    assert kiosk.well_formed(token) and who not in token
    assert resume_at(store, token, T0 + timedelta(seconds=1)) == who
    stored = rows(store)
    assert [r.token_hash for r in stored] == [kiosk.token_hash(token)]
    assert token not in repr(stored)  # only the hash is kept


def test_expiry_slides_with_use_and_never_beyond_ttl_after_last_use(store: Store) -> None:
    who = learner_id(store)
    token = open_at(store, who, T0)
    moment = T0
    for _ in range(5):  # 5 uses, each just before expiry: 15 minutes in all
        moment += TTL - timedelta(seconds=1)
        assert resume_at(store, token, moment) == who
    assert rows(store)[0].expires_at == moment + TTL
    moment += TTL - timedelta(seconds=1)
    assert at(store, moment).keep_session(token, TTL) is True  # the kiosk's "still here"
    assert rows(store)[0].expires_at == moment + TTL

    assert resume_at(store, token, moment + TTL) is None
    assert rows(store) == []  # the expired row is gone
    assert at(store, moment + TTL).keep_session(token, TTL) is False
    assert resume_at(store, token, moment + timedelta(seconds=1)) is None


def test_signed_out_token_is_dead(store: Store) -> None:
    token = open_at(store, learner_id(store), T0)

    assert store.end_session(token) is True
    assert resume_at(store, token, T0) is None
    assert store.end_session(token) is False
    assert rows(store) == []


@pytest.mark.parametrize(
    "token",
    [None, "", "x" * 31, "x" * 33, "' OR 1=1 --", "00000000-0000-4000-8000-000000000000", 42, "A" * 32],
)
def test_unknown_or_malformed_tokens_name_nobody(store: Store, token: object) -> None:
    open_at(store, learner_id(store), T0)

    assert resume_at(store, token, T0) is None
    assert store.end_session(token) is False
    assert len(rows(store)) == 1


def test_next_learner_gets_a_new_token_and_the_previous_stays_ended(store: Store) -> None:
    first, second = learner_id(store, "Cầm Thị Một"), learner_id(store, "Lường Văn Hai")
    old = open_at(store, first, T0)
    store.end_session(old)
    new = open_at(store, second, T0 + timedelta(seconds=2))

    assert new != old
    assert resume_at(store, old, T0 + timedelta(seconds=3)) is None
    assert resume_at(store, new, T0 + timedelta(seconds=3)) == second


def test_sessions_of_two_screens_are_independent(store: Store) -> None:
    one, two = learner_id(store, "Cầm Thị Một"), learner_id(store, "Lường Văn Hai")
    a = open_at(store, one, T0)
    b = open_at(store, two, T0)

    store.end_session(a)
    assert resume_at(store, b, T0 + timedelta(minutes=1)) == two
    assert at(store, T0).live_sessions(one) == 0
    assert at(store, T0).live_sessions(two) == 1


def test_opening_a_session_clears_expired_ones(store: Store) -> None:
    who = learner_id(store)
    for minute in range(3):
        open_at(store, who, T0 + timedelta(minutes=minute))
    assert len(rows(store)) == 3

    later = T0 + timedelta(minutes=4, seconds=30)
    open_at(store, who, later)
    assert [r.started_at for r in rows(store)] == [T0 + timedelta(minutes=2), later]


def test_deleting_the_learner_deletes_their_sessions(store: Store) -> None:
    who = learner_id(store)
    token = open_at(store, who, T0)

    assert store.delete_learner(who)["kiosk_sessions"] == 1
    assert resume_at(store, token, T0) is None


def test_time_to_live_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError):
        open_at(store, learner_id(store), T0, ttl=timedelta(0))
    with pytest.raises(ValueError):
        resume_at(store, "A" * 32, T0, ttl=timedelta(seconds=-1))
    with pytest.raises(ValueError):
        at(store, T0).keep_session("A" * 32, timedelta(0))
