"""Live workshop rooms: the trainer opens a room, learners join it by a short code, and the
trainer's screen shows how the room answered a chosen question or scenario decision.

Reached through ``store.rooms`` (:class:`Rooms`, SQLite or PostgreSQL); the tables are
``rooms`` and ``room_members`` of :mod:`widgets.records.schema`. Codes are 5 characters from
an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G): 22⁵ ≈ 5 million codes,
unique for ever (a collision on opening is retried with a new code). A member's answers and
choices count from the moment they joined; only counts are returned, never who answered.
"""

from __future__ import annotations

import dataclasses as dc
import json
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.content.model import Question, QuestionType, Scenario
from widgets.engine.solution import response_label
from widgets.i18n import t
from widgets.records import db
from widgets.records.errors import RecordsError
from widgets.records.schema import answers, learners, room_members, rooms, scenario_choices

ALPHABET = "ACDEFHJKMNPQRTUVWXY349"
CODE_LENGTH = 5
TITLE_MAX = 120


class RoomError(RecordsError):
    """A code that names no open room, or a bad request; the message is Vietnamese."""


@dc.dataclass(frozen=True, slots=True)
class Room:
    id: str
    code: str
    title: str
    focus: str | None
    opened_at: datetime
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dc.dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    label: str
    count: int
    correct: bool | None = None
    """Question answers: whether this answer earns full marks."""
    rating: str | None = None
    """Scenario choices: the action's rating."""


@dc.dataclass(frozen=True, slots=True)
class Distribution:
    members: int
    answered: int
    """Members with an answer (their latest one counts)."""
    buckets: tuple[Bucket, ...]

    def share(self, bucket: Bucket) -> float:
        return bucket.count / self.answered if self.answered else 0.0


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    return "".join(ALPHABET[randbelow(len(ALPHABET))] for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str:
    """Upper-case, spaces and dashes dropped; :class:`RoomError` if it cannot be a code."""
    code = "".join(str(text or "").split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        raise RoomError(t("rooms.error.code_shape", length=CODE_LENGTH, example=ALPHABET[:CODE_LENGTH]))
    return code


def question_focus(question_id: str) -> str:
    return f"question:{question_id}"


def node_focus(scenario_id: str, node_id: str) -> str:
    return f"node:{scenario_id}/{node_id}"


def parse_focus(focus: str | None) -> tuple[str, str, str | None] | None:
    """``("question", id, None)`` or ``("node", scenario id, node id)``; ``None`` if unset."""
    if not focus:
        return None
    kind, _, rest = focus.partition(":")
    if kind == "question" and rest:
        return "question", rest, None
    if kind == "node" and "/" in rest:
        scenario_id, node_id = rest.rsplit("/", 1)
        return "node", scenario_id, node_id
    raise ValueError(f"not a room focus: {focus!r}")


class Rooms:
    """The live rooms of one store (``store.rooms``); each call is one short transaction.

    ``now`` defaults to the store's clock (the real time unless a test replaces it).
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock

    def open_room(
        self,
        title: str = "",
        *,
        now: datetime | None = None,
        randbelow: Callable[[int], int] = secrets.randbelow,
    ) -> Room:
        """Open a new room with a fresh code (retried on the rare collision)."""
        title = " ".join(str(title).split())[:TITLE_MAX]
        at = now or self._clock()
        for _ in range(50):
            room = Room(
                id=str(uuid.uuid4()),
                code=new_code(randbelow),
                title=title,
                focus=None,
                opened_at=at,
                closed_at=None,
            )
            values = dc.asdict(room)

            def insert(conn: Connection, values: dict[str, object] = values) -> bool:
                return db.insert_ignore(conn, rooms, values)

            if db.write(self._engine, insert):
                return room
        raise RoomError(t("rooms.error.no_code"))

    def get_room(self, room_id: str) -> Room | None:
        query = sa.select(rooms).where(rooms.c.id == room_id)
        row = db.read(self._engine, lambda conn: conn.execute(query).first())
        return Room(**row._mapping) if row else None

    def find_room(self, code: object) -> Room:
        """The open room with this code, or :class:`RoomError`."""
        wanted = normalise_code(code)
        query = sa.select(rooms).where(rooms.c.code == wanted)
        row = db.read(self._engine, lambda conn: conn.execute(query).first())
        if row is None:
            raise RoomError(t("rooms.error.unknown", wanted=wanted))
        if row.closed_at is not None:
            raise RoomError(t("rooms.error.closed", wanted=wanted))
        return Room(**row._mapping)

    def open_rooms(self) -> list[Room]:
        """Rooms not yet closed, newest first."""
        query = (
            sa.select(rooms).where(rooms.c.closed_at.is_(None)).order_by(rooms.c.opened_at.desc(), rooms.c.id)
        )
        return [Room(**row._mapping) for row in db.read(self._engine, lambda conn: conn.execute(query).all())]

    def join_room(self, code: object, learner_id: str, *, now: datetime | None = None) -> Room:
        """Add the learner to the open room with this code (joining again changes nothing)."""
        room = self.find_room(code)
        at = now or self._clock()

        def run(conn: Connection) -> None:
            if conn.execute(sa.select(learners.c.id).where(learners.c.id == learner_id)).first() is None:
                raise RoomError(t("rooms.error.no_learner"))
            db.insert_ignore(
                conn, room_members, {"room_id": room.id, "learner_id": learner_id, "joined_at": at}
            )

        db.write(self._engine, run)
        return room

    def rooms_joined(self, learner_id: str) -> list[Room]:
        """The open rooms the learner is in."""
        query = (
            sa.select(rooms)
            .join(room_members, room_members.c.room_id == rooms.c.id)
            .where(room_members.c.learner_id == learner_id, rooms.c.closed_at.is_(None))
            .order_by(rooms.c.opened_at)
        )
        return [Room(**row._mapping) for row in db.read(self._engine, lambda conn: conn.execute(query).all())]

    def set_focus(self, room_id: str, focus: str | None) -> None:
        """What the room's screen shows (see :func:`question_focus`, :func:`node_focus`)."""
        if focus is not None:
            parse_focus(focus)
        update = rooms.update().where(rooms.c.id == room_id).values(focus=focus)
        db.write(self._engine, lambda conn: conn.execute(update))

    def close_room(self, room_id: str, *, now: datetime | None = None) -> None:
        at = now or self._clock()
        update = rooms.update().where(rooms.c.id == room_id, rooms.c.closed_at.is_(None)).values(closed_at=at)
        db.write(self._engine, lambda conn: conn.execute(update))

    def question_distribution(self, room_id: str, question: Question) -> Distribution:
        """How the room's members answered ``question`` since they joined (latest answer each)."""

        def run(conn: Connection) -> Distribution:
            rows = conn.execute(
                sa.select(
                    answers.c.learner_id,
                    answers.c.response,
                    answers.c.correct,
                    answers.c.try_no,
                    answers.c.answered_at,
                    answers.c.id,
                )
                .join(room_members, room_members.c.learner_id == answers.c.learner_id)
                .where(
                    room_members.c.room_id == room_id,
                    answers.c.question_id == question.id,
                    answers.c.answered_at >= room_members.c.joined_at,
                )
            ).all()
            return tally_answers(_member_count(conn, room_id), rows, question)

        return db.read(self._engine, run)

    def node_distribution(self, room_id: str, scenario: Scenario, node_id: str) -> Distribution:
        """How the room's members chose at one scenario node since they joined (latest choice each)."""

        def run(conn: Connection) -> Distribution:
            rows = conn.execute(
                sa.select(
                    scenario_choices.c.learner_id,
                    scenario_choices.c.action_id,
                    scenario_choices.c.rating,
                    scenario_choices.c.chosen_at,
                    scenario_choices.c.id,
                )
                .join(room_members, room_members.c.learner_id == scenario_choices.c.learner_id)
                .where(
                    room_members.c.room_id == room_id,
                    scenario_choices.c.scenario_id == scenario.id,
                    scenario_choices.c.node_id == node_id,
                    scenario_choices.c.chosen_at >= room_members.c.joined_at,
                )
            ).all()
            return tally_choices(_member_count(conn, room_id), rows, scenario, node_id)

        return db.read(self._engine, run)


def _member_count(conn: Connection, room_id: str) -> int:
    query = sa.select(sa.func.count()).select_from(room_members).where(room_members.c.room_id == room_id)
    return int(conn.execute(query).scalar_one())


def tally_answers(members: int, rows: Iterable[sa.Row[*tuple[Any, ...]]], question: Question) -> Distribution:
    """Latest answer per learner → buckets; every option of a choice question is listed."""
    latest: dict[str, sa.Row[*tuple[Any, ...]]] = {}
    for row in rows:
        held = latest.get(row.learner_id)
        if held is None or (row.answered_at, row.try_no, row.id) > (held.answered_at, held.try_no, held.id):
            latest[row.learner_id] = row
    counts = Counter(row.response for row in latest.values())
    correct = {row.response: bool(row.correct) for row in latest.values()}
    buckets = []
    if question.type in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        for choice in question.choices:
            key = json.dumps(choice.id)
            buckets.append(Bucket(key, choice.text, counts.pop(key, 0), choice.correct))
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        buckets.append(Bucket(key, response_label(question, key), count, correct.get(key)))
    return Distribution(members, len(latest), tuple(buckets))


def tally_choices(
    members: int, rows: Iterable[sa.Row[*tuple[Any, ...]]], scenario: Scenario, node_id: str
) -> Distribution:
    """Latest choice per learner at the node → one bucket per action (in content order)."""
    latest: dict[str, sa.Row[*tuple[Any, ...]]] = {}
    for row in rows:
        held = latest.get(row.learner_id)
        if held is None or (row.chosen_at, row.id) > (held.chosen_at, held.id):
            latest[row.learner_id] = row
    counts = Counter(row.action_id for row in latest.values())
    node = scenario.node(node_id)
    buckets = [
        Bucket(action.id, action.text, counts.pop(action.id, 0), rating=str(action.rating))
        for action in node.actions
    ]
    ratings = {row.action_id: row.rating for row in latest.values()}
    buckets += [Bucket(key, key, count, rating=ratings[key]) for key, count in sorted(counts.items())]
    return Distribution(members, len(latest), tuple(buckets))
