"""Kiosk session tokens: token → learner, sliding expiry, sign-out, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from widgets.records import kiosk
from widgets.records.identity import STAFF
from widgets.records.schema import kiosk_sessions
from widgets.records.store import Store

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
TTL = timedelta(minutes=3)


def learner_id(store: Store, name: str = "Lò Văn Kiốt") -> str:
    return store.sign_in(name, "Sở Nội vụ", STAFF).id


def rows(store: Store) -> list[sa.Row]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(kiosk_sessions)))


def test_token_names_the_learner_without_carrying_the_id(store: Store) -> None:
    who = learner_id(store)
    token = kiosk.open_session(store.engine, who, ttl=TTL, now=T0)

    assert kiosk.well_formed(token) and who not in token
    assert kiosk.resume_session(store.engine, token, ttl=TTL, now=T0 + timedelta(seconds=1)) == who
    stored = rows(store)
    assert [r.token_hash for r in stored] == [kiosk.token_hash(token)]
    assert token not in repr(stored)  # only the hash is kept


def test_expiry_slides_with_use_and_never_beyond_ttl_after_last_use(store: Store) -> None:
    who = learner_id(store)
    token = kiosk.open_session(store.engine, who, ttl=TTL, now=T0)
    moment = T0
    for _ in range(5):  # 5 uses, each just before expiry: 15 minutes in all
        moment += TTL - timedelta(seconds=1)
        assert kiosk.resume_session(store.engine, token, ttl=TTL, now=moment) == who
    assert rows(store)[0].expires_at == moment + TTL

    assert kiosk.resume_session(store.engine, token, ttl=TTL, now=moment + TTL) is None
    assert rows(store) == []  # the expired row is gone
    assert kiosk.resume_session(store.engine, token, ttl=TTL, now=moment + timedelta(seconds=1)) is None


def test_signed_out_token_is_dead(store: Store) -> None:
    token = kiosk.open_session(store.engine, learner_id(store), ttl=TTL, now=T0)

    assert kiosk.end_session(store.engine, token) is True
    assert kiosk.resume_session(store.engine, token, ttl=TTL, now=T0) is None
    assert kiosk.end_session(store.engine, token) is False
    assert rows(store) == []


@pytest.mark.parametrize(
    "token",
    [None, "", "x" * 31, "x" * 33, "' OR 1=1 --", "00000000-0000-4000-8000-000000000000", 42, "A" * 32],
)
def test_unknown_or_malformed_tokens_name_nobody(store: Store, token: object) -> None:
    kiosk.open_session(store.engine, learner_id(store), ttl=TTL, now=T0)

    assert kiosk.resume_session(store.engine, token, ttl=TTL, now=T0) is None
    assert kiosk.end_session(store.engine, token) is False
    assert len(rows(store)) == 1


def test_next_learner_gets_a_new_token_and_the_previous_stays_ended(store: Store) -> None:
    first, second = learner_id(store, "Cầm Thị Một"), learner_id(store, "Lường Văn Hai")
    old = kiosk.open_session(store.engine, first, ttl=TTL, now=T0)
    kiosk.end_session(store.engine, old)
    new = kiosk.open_session(store.engine, second, ttl=TTL, now=T0 + timedelta(seconds=2))

    assert new != old
    assert kiosk.resume_session(store.engine, old, ttl=TTL, now=T0 + timedelta(seconds=3)) is None
    assert kiosk.resume_session(store.engine, new, ttl=TTL, now=T0 + timedelta(seconds=3)) == second


def test_sessions_of_two_screens_are_independent(store: Store) -> None:
    one, two = learner_id(store, "Cầm Thị Một"), learner_id(store, "Lường Văn Hai")
    a = kiosk.open_session(store.engine, one, ttl=TTL, now=T0)
    b = kiosk.open_session(store.engine, two, ttl=TTL, now=T0)

    kiosk.end_session(store.engine, a)
    assert kiosk.resume_session(store.engine, b, ttl=TTL, now=T0 + timedelta(minutes=1)) == two
    assert kiosk.live_sessions(store.engine, one, now=T0) == 0
    assert kiosk.live_sessions(store.engine, two, now=T0) == 1


def test_opening_a_session_clears_expired_ones(store: Store) -> None:
    who = learner_id(store)
    for minute in range(3):
        kiosk.open_session(store.engine, who, ttl=TTL, now=T0 + timedelta(minutes=minute))
    assert len(rows(store)) == 3

    later = T0 + timedelta(minutes=4, seconds=30)
    kiosk.open_session(store.engine, who, ttl=TTL, now=later)
    assert [r.started_at for r in rows(store)] == [T0 + timedelta(minutes=2), later]


def test_deleting_the_learner_deletes_their_sessions(store: Store) -> None:
    who = learner_id(store)
    token = kiosk.open_session(store.engine, who, ttl=TTL, now=T0)

    assert store.delete_learner(who)["kiosk_sessions"] == 1
    assert kiosk.resume_session(store.engine, token, ttl=TTL, now=T0) is None


def test_time_to_live_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError):
        kiosk.open_session(store.engine, learner_id(store), ttl=timedelta(0), now=T0)
    with pytest.raises(ValueError):
        kiosk.resume_session(store.engine, "A" * 32, ttl=timedelta(seconds=-1), now=T0)
