"""The live room's views on both backends: the trainer's screen follows the room's answers
within 3 s, and the learner's "join a room" box joins by code (no one's name on the screen)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from widgets.content.model import Course
from widgets.engine.results import AnswerResult
from widgets.records import rooms
from widgets.records.identity import STAFF
from widgets.records.store import Store, open_store
from widgets.views.rooms import JoinRoomBox, RoomPage

from db_backends import BACKENDS, database


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    for url in database(request.param, tmp_path):
        yield open_store(url, data=tmp_path / "data")


def answer(store: Store, learner_id: str, response: str, at: datetime, correct: bool) -> None:
    result = AnswerResult("q-ban-hanh", response, float(correct), 1.0, correct, (), ("doc",))
    attempt = store.start_attempt(learner_id, "tong-quan")
    store.record_answer(learner_id, attempt.id, "tong-quan", result, try_no=1, answered_at=at)


def test_room_screen_updates_within_three_seconds(store: Store, course: Course) -> None:
    page = RoomPage(course, store)
    try:
        assert page.refresher is not None and page.refresher.mode == "thread"  # no event loop here
        room = page.open_room()
        assert f'data-code="{room.code}"' in page.code.value
        learner = store.sign_in("Lò Thị Chiếu", "Sở Nội vụ", STAFF)
        box = JoinRoomBox(store, learner.id)
        box.code.value = "QQQQ"
        assert box.join() is None and "5 ký tự" in box.status.value
        box.code.value = room.code.lower()
        assert box.join() is not None and room.code in box.status.value
        page.focus.value = rooms.question_focus("q-ban-hanh")
        assert 'data-answered="0" data-members="1"' in page.live.value
        answer(store, learner.id, "b", datetime.now(UTC), False)
        deadline = time.monotonic() + 3.0
        while 'data-answered="1"' not in page.live.value and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 'data-answered="1" data-members="1"' in page.live.value
        assert "Lò Thị Chiếu" not in page.live.value
        assert 'data-key="&#34;b&#34;" data-count="1"' in page.live.value
        page.reveal.value = True
        assert "nk-correct" in page.live.value
        assert store.rooms.get_room(room.id).focus == "question:q-ban-hanh"
    finally:
        page.close()
    assert not page.refresher.running
