"""Live workshop rooms on both backends: unique codes, joining, live counts without names."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from widgets.content.model import Course, Rating
from widgets.engine.results import AnswerResult, ScenarioStep
from widgets.records import rooms
from widgets.records.identity import STAFF
from widgets.records.rooms import ALPHABET, CODE_LENGTH, RoomError
from widgets.records.schema import room_members
from widgets.records.store import Store

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)


def answer(
    store: Store, learner_id: str, response: str, at: datetime, correct: bool, try_no: int = 1
) -> None:
    result = AnswerResult("q-ban-hanh", response, float(correct), 1.0, correct, (), ("doc",))
    attempt = store.start_attempt(learner_id, "tong-quan")
    store.record_answer(learner_id, attempt.id, "tong-quan", result, try_no=try_no, answered_at=at)


def choose(store: Store, learner_id: str, action: str, rating: Rating, at: datetime) -> None:
    run = store.start_scenario(learner_id, "sc-bia", "tong-quan")
    step = ScenarioStep("trua", action, rating, "chieu")
    store.record_choice(learner_id, run.id, "sc-bia", "tong-quan", 0, step, chosen_at=at)


def test_codes_are_short_unambiguous_and_unique(store: Store) -> None:
    opened = [store.rooms.open_room(f"Lớp {n}") for n in range(30)]
    codes = [room.code for room in opened]
    assert len(set(codes)) == 30
    assert all(len(code) == CODE_LENGTH and set(code) <= set(ALPHABET) for code in codes)
    assert not set(ALPHABET) & set("0O1IL2Z5S8B6G")
    # a colliding draw is retried with a new code
    zeros = itertools.chain([0] * CODE_LENGTH, [0] * CODE_LENGTH, itertools.repeat(3))
    first = store.rooms.open_room("A", randbelow=lambda n: 0)
    second = store.rooms.open_room("B", randbelow=lambda n: next(zeros))
    assert first.code == ALPHABET[0] * CODE_LENGTH and second.code == ALPHABET[3] * CODE_LENGTH


def test_rooms_opened_at_once_get_distinct_codes(store: Store) -> None:
    found: list[str] = []
    lock = threading.Lock()

    def open_some() -> None:
        for _ in range(10):
            room = store.rooms.open_room("song song")
            with lock:
                found.append(room.code)

    threads = [threading.Thread(target=open_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 40 == len(set(found)) == len(store.rooms.open_rooms())


def test_joining_by_code(store: Store) -> None:
    room = store.rooms.open_room("Sở Nội vụ")
    learner = store.sign_in("Lò Văn Dũng", "Sở Nội vụ", STAFF)
    typed = f" {room.code[:2].lower()}-{room.code[2:].lower()} "
    assert store.rooms.join_room(typed, learner.id).id == room.id
    assert store.rooms.join_room(room.code, learner.id).id == room.id  # again: harmless
    assert [r.id for r in store.rooms.rooms_joined(learner.id)] == [room.id]
    with pytest.raises(RoomError, match="5 ký tự"):
        store.rooms.join_room("AB0", learner.id)
    with pytest.raises(RoomError, match="Không có phòng"):
        store.rooms.join_room("XXXXX" if room.code != "XXXXX" else "YYYYY", learner.id)
    with pytest.raises(RoomError, match="hồ sơ người học"):
        store.rooms.join_room(room.code, "00000000-0000-4000-8000-000000000000")
    store.rooms.close_room(room.id)
    with pytest.raises(RoomError, match="đã đóng"):
        store.rooms.join_room(room.code, learner.id)
    assert store.rooms.rooms_joined(learner.id) == []


def test_two_rooms_count_their_own_members_answers(store: Store, course: Course) -> None:
    question = course.question("q-ban-hanh")
    scenario = next(s for s in course.scenarios if s.id == "sc-bia")
    morning = store.rooms.open_room("Sáng", now=T0)
    afternoon = store.rooms.open_room("Chiều", now=T0)
    people = [
        store.sign_in(name, "Sở Tư pháp", STAFF)
        for name in ("Lò Văn An", "Cầm Thị Bình", "Quàng Văn Cường", "Hà Thị Dung", "Tòng Văn Em")
    ]
    an, binh, cuong, dung, em = (p.id for p in people)
    answer(store, an, "b", T0 - timedelta(minutes=5), False)  # before joining: not counted
    for learner in (an, binh, cuong):
        store.rooms.join_room(morning.code, learner, now=T0)
    for learner in (cuong, dung):
        store.rooms.join_room(afternoon.code, learner, now=T0)
    answer(store, an, "b", T0 + timedelta(minutes=1), False)
    answer(store, an, "a", T0 + timedelta(minutes=2), True, try_no=2)  # An's latest answer counts
    answer(store, binh, "b", T0 + timedelta(minutes=1), False)
    answer(store, cuong, "a", T0 + timedelta(minutes=1), True)  # in both rooms
    answer(store, em, "b", T0 + timedelta(minutes=1), False)  # in no room
    first = store.rooms.question_distribution(morning.id, question)
    assert (first.members, first.answered) == (3, 3)
    assert [(b.key, b.count, b.correct) for b in first.buckets] == [('"a"', 2, True), ('"b"', 1, False)]
    assert first.share(first.buckets[0]) == pytest.approx(2 / 3)
    second = store.rooms.question_distribution(afternoon.id, question)
    assert (second.members, second.answered) == (2, 1)
    assert [(b.key, b.count) for b in second.buckets] == [('"a"', 1), ('"b"', 0)]
    text = repr(first) + repr(second)
    assert not any(p.id in text or p.full_name in text for p in people)  # counts, never who
    choose(store, dung, "a2", Rating.VIOLATION, T0 + timedelta(minutes=3))
    choose(store, cuong, "a1", Rating.BEST, T0 + timedelta(minutes=3))
    choose(store, an, "a1", Rating.BEST, T0 + timedelta(minutes=3))
    node = store.rooms.node_distribution(afternoon.id, scenario, "trua")
    assert (node.members, node.answered) == (2, 2)
    assert [(b.key, b.count, b.rating) for b in node.buckets] == [("a1", 1, "best"), ("a2", 1, "violation")]
    node = store.rooms.node_distribution(morning.id, scenario, "trua")
    assert [(b.key, b.count) for b in node.buckets] == [("a1", 2), ("a2", 0)]


def test_focus_is_stored_and_parsed(store: Store) -> None:
    room = store.rooms.open_room()
    store.rooms.set_focus(room.id, rooms.node_focus("sc-bia", "trua"))
    stored = store.rooms.get_room(room.id)
    assert stored is not None and rooms.parse_focus(stored.focus) == ("node", "sc-bia", "trua")
    assert rooms.parse_focus(rooms.question_focus("q1")) == ("question", "q1", None)
    assert rooms.parse_focus(None) is None
    with pytest.raises(ValueError):
        store.rooms.set_focus(room.id, "banner:hello")


def test_deleting_a_learner_removes_their_memberships(store: Store) -> None:
    room = store.rooms.open_room()
    learner = store.sign_in("Lò Văn Xoá", "Sở Y tế", STAFF)
    store.rooms.join_room(room.code, learner.id)
    store.delete_learner(learner.id)
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(room_members)).scalar_one() == 0
