"""Coming back needs proof: PINs (scrypt, salted), the progressive lockout kept in the database,
a trainer's reset, namesakes kept apart, and the append-only audit trail — on both backends."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from widgets.records import audit, pins
from widgets.records.errors import PinLockedError, SignInError
from widgets.records.identity import STAFF
from widgets.records.schema import audit_events, credentials
from widgets.records.store import Store

from records_helpers import Clock

NAME, UNIT = "Lường Văn Pin", "Sở Nội vụ"
PIN, OTHER = "482913", "111111"


def first_sign_in(store: Store, name: str = NAME, code: str | None = None, pin: str = PIN):
    return store.authenticate(name, UNIT, STAFF, code, pin, pin)


def events(store: Store, learner_id: str | None = None) -> list[str]:
    return [e.event for e in reversed(store.audit_events(learner_id=learner_id))]


def test_first_sign_in_sets_a_pin_stored_only_as_salted_scrypt(store: Store, clock: Clock) -> None:
    with pytest.raises(SignInError) as missing:
        store.authenticate(NAME, UNIT, STAFF, None, PIN)  # no confirmation the first time
    assert missing.value.field == "pin_confirm" and "mã PIN" in str(missing.value)
    with pytest.raises(SignInError, match="không giống nhau"):
        store.authenticate(NAME, UNIT, STAFF, None, PIN, "482914")
    assert store.find_learners(name=NAME, unit=UNIT) == []  # nobody created before the PIN is set
    for bad in ("12345", "12a456", "", "1234567890123"):
        with pytest.raises(SignInError) as caught:
            store.authenticate(NAME, UNIT, STAFF, None, bad, bad)
        assert caught.value.field == "pin"

    learner = first_sign_in(store)
    twin = first_sign_in(store, "Lò Thị Khác")
    with store.engine.connect() as conn:
        rows = {r.learner_id: r for r in conn.execute(sa.select(credentials))}
    row = rows[learner.id]
    assert PIN not in (row.pin_hash + row.pin_salt) and row.pin_params == pins.params_text()
    assert row.pin_salt != rows[twin.id].pin_salt  # a salt of its own
    salt = bytes.fromhex(row.pin_salt)
    assert pins.hash_pin(PIN, salt)[0] == row.pin_hash
    assert store.authenticate(NAME, UNIT, STAFF, None, PIN) == learner  # returning: no confirmation
    assert events(store, learner.id) == [audit.SIGN_IN_NEW, audit.SIGN_IN]


def test_sign_in_takes_the_measured_scrypt_time(store: Store) -> None:
    """The cost is meant to be 50-100 ms on a quiet machine; under load it is only bounded above."""
    first_sign_in(store)
    started = time.perf_counter()
    store.authenticate(NAME, UNIT, STAFF, None, PIN)
    assert time.perf_counter() - started < 5.0
    started = time.perf_counter()
    pins.hash_pin(PIN)
    assert time.perf_counter() - started > 0.01  # not a fast hash


def test_brute_force_stops_at_the_lockout_kept_in_the_database(store: Store, clock: Clock) -> None:
    learner = first_sign_in(store)
    for tried in range(1, pins.MAX_TRIES):
        with pytest.raises(SignInError, match=f"Còn {pins.MAX_TRIES - tried} lần thử") as caught:
            store.authenticate(NAME, UNIT, STAFF, None, f"{tried:06d}")
        assert not isinstance(caught.value, PinLockedError)
    with pytest.raises(PinLockedError, match="khoá") as locked:
        store.authenticate(NAME, UNIT, STAFF, None, "999999")
    assert locked.value.until - clock.now >= timedelta(minutes=15) - timedelta(seconds=1)
    # the right PIN does not get in while locked, from this store or a fresh one (other kernel)
    with pytest.raises(PinLockedError):
        store.authenticate(NAME, UNIT, STAFF, None, PIN)
    fresh = Store(store.engine, store.data, clock=clock)
    with pytest.raises(PinLockedError):
        fresh.authenticate(NAME, UNIT, STAFF, None, PIN)
    assert store.locked_until(learner.id) == locked.value.until

    clock.set(locked.value.until + timedelta(seconds=1))
    assert store.authenticate(NAME, UNIT, STAFF, None, PIN) == learner
    assert audit.LOCKOUT in events(store, learner.id)
    assert events(store, learner.id).count(audit.SIGN_IN_FAILED) == pins.MAX_TRIES - 1


def test_lockouts_in_a_row_grow(store: Store, clock: Clock) -> None:
    first_sign_in(store)
    lengths = []
    for _ in range(2):
        for _ in range(pins.MAX_TRIES - 1):
            with pytest.raises(SignInError):
                store.authenticate(NAME, UNIT, STAFF, None, OTHER)
        with pytest.raises(PinLockedError) as locked:
            store.authenticate(NAME, UNIT, STAFF, None, OTHER)
        lengths.append(locked.value.until - clock.now)
        clock.set(locked.value.until + timedelta(seconds=1))
    assert lengths[1] > lengths[0] * 1.9


def test_trainer_reset_ends_the_old_pin_and_the_sessions(store: Store, clock: Clock) -> None:
    learner = first_sign_in(store)
    token = store.open_session(learner.id, timedelta(hours=1))
    store.reset_pin(learner.id, by="giảng viên A")
    assert not store.has_pin(learner.id)
    with pytest.raises(SignInError) as caught:  # the old PIN alone no longer opens the records
        store.authenticate(NAME, UNIT, STAFF, None, PIN)
    assert caught.value.field == "pin_confirm"
    with pytest.raises(Exception, match="kết thúc"):
        store.resume_session(token, timedelta(hours=1))
    assert store.authenticate(NAME, UNIT, STAFF, None, "735102", "735102") == learner
    with pytest.raises(SignInError):
        store.authenticate(NAME, UNIT, STAFF, None, PIN)  # the old PIN is wrong now
    reset = next(e for e in store.audit_events(event=audit.PIN_RESET))
    assert reset.learner_id == learner.id and "giảng viên A" in reset.detail


def test_namesakes_in_one_unit_are_told_to_use_their_staff_code(store: Store, clock: Clock) -> None:
    first = first_sign_in(store)
    with pytest.raises(SignInError, match="mã cán bộ"):  # the second person does not know the PIN
        store.authenticate(NAME, UNIT, STAFF, None, "604182", "604182")
    second = first_sign_in(store, code="CB-2", pin="604182")
    assert second.id != first.id
    assert store.authenticate(NAME, UNIT, STAFF, None, PIN) == first
    assert store.authenticate(NAME, UNIT, STAFF, "cb-2", "604182") == second
    with pytest.raises(SignInError):
        store.authenticate(NAME, UNIT, STAFF, "CB-2", PIN)  # the first person's PIN opens nothing else


def test_the_audit_trail_is_append_only(store: Store, clock: Clock) -> None:
    store.audit(audit.FINAL_ATTEMPT, None, {"attempt": "a-1"})
    store.audit("certificate_issued", "L-1", "NG-0000-0000")
    assert [(e.event, e.learner_id) for e in store.audit_events()] == [
        ("certificate_issued", "L-1"),
        (audit.FINAL_ATTEMPT, None),
    ]
    assert store.audit_events(event=audit.FINAL_ATTEMPT)[0].detail == '{"attempt":"a-1"}'
    for statement in (audit_events.update().values(event="x"), audit_events.delete()):
        with pytest.raises(sa.exc.DatabaseError), store.engine.begin() as conn:
            conn.execute(statement)
    assert len(store.audit_events()) == 2
    with pytest.raises(ValueError):
        store.audit("", None)


def test_audit_csv_has_a_header_filters_and_no_formulas(store: Store, clock: Clock) -> None:
    start = clock.now
    store.audit(audit.SIGN_IN, "L-1")
    clock.set(start + timedelta(days=2))
    store.audit(audit.LOCKOUT, "L-2", "=HYPERLINK(1)")
    assert [e.learner_id for e in store.audit_events(since=start + timedelta(days=1))] == ["L-2"]
    assert [e.learner_id for e in store.audit_events(until=start + timedelta(days=1))] == ["L-1"]
    text = audit.to_csv(store.audit_events(), {"L-2": "Lò Thị B (Sở X)"})
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["time_utc", "event", "learner_id", "learner", "detail"]
    assert table[1][1:] == ["lockout", "L-2", "Lò Thị B (Sở X)", "'=HYPERLINK(1)"]
