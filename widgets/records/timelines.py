"""Each learner's mastery timelines, kept for the trainer's retention report (issue 20).

The retention report (``widgets.reports.retention``) counts the learners in each mastery state
at a dozen moments. Replaying about a million answers for it took seconds, so the replay's
result is kept: one ``retention_timelines`` row per learner (migration 8) holding, for every
clause on the mastery map they have met, a :class:`~widgets.engine.timeline.ClauseTimeline`
(the state spans, the first evidence, the first mastery, the first wrong answer after it).

* **Kept current on every write of evidence.** Whatever adds answers or scenario choices calls
  :func:`refresh` for their learners in the same transaction: the store's module, scenario and
  review writes, the merge of kiosk exports, the migration's backfill and restores
  (:func:`refresh_stale`). A refresh replays the learner's whole evidence (a few milliseconds),
  so a late merged answer lands where it belongs in time.
* **Under the course it was computed with.** Which clauses a scenario choice is evidence for
  comes from the content, so each row carries the :func:`fingerprint` of the course (and of
  the rules and this format). A row under another fingerprint, or a learner without a row
  (records written by hand, content edited since), is *stale*: the report refreshes such
  learners first (:func:`stale_learners`), and computes any still stale in its own snapshot
  (:func:`read_cohort`), so its figures are always those of the evidence.
* **Derived data.** A row is never exported with the learner (their evidence is), goes with
  the learner (``ON DELETE CASCADE``), and can be dropped and rebuilt at any time.

Storage: two little-endian ``int64`` arrays per row, times in microseconds since 1970-01-01
UTC (the records' resolution), :data:`NEVER` for "none" and for a span still open —
``clauses``: ``(clause, first_at, mastered_at, lapsed_at)`` per clause met; ``spans``:
``(clause, state, start, end)`` per span, ``state`` a :data:`STATE_CODES` value, ``clause`` the
clause's position in :func:`~widgets.engine.mastery.requirement_clauses`. The report reads a
cohort's arrays in one query and counts with numpy (:class:`CohortTimelines`).
"""

from __future__ import annotations

import dataclasses as dc
import hashlib
import json
import logging
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.content.model import Course, Rating
from widgets.content.problems import ContentError
from widgets.engine import mastery, review
from widgets.engine.mastery import MasteryState, map_clauses, node_item, question_item, requirement_clauses
from widgets.engine.timeline import ClauseTimeline, Evidence, clause_timeline
from widgets.records import db
from widgets.records.schema import answers, learners, retention_timelines, scenario_choices
from widgets.records.statistics.filters import Ids

if TYPE_CHECKING:  # numpy is imported where the report counts: a learner's kernel never needs it
    import numpy as np
    import numpy.typing as npt

    Int64s = npt.NDArray[np.int64]

log = logging.getLogger(__name__)

FORMAT = 1
"""The layout of the stored arrays (part of the fingerprint: a new layout recomputes every row)."""
NEVER = 2**63 - 1
"""A time that never comes: no such event, or a span still open."""
STATE_CODES: Mapping[MasteryState, int] = {
    MasteryState.LEARNING: 1,
    MasteryState.MASTERED: 2,
    MasteryState.DUE: 3,
}
CHUNK = 500
"""Learners refreshed per query."""
_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)

Event = tuple[datetime, str, bool, tuple[str, ...]]
"""(when, item, right, the clauses on the map it is evidence for): one answer or scenario choice;
the time naive UTC."""
Chosen = Ids | None
"""A subquery of learner IDs (``None``: every learner), as the reports' filters give it."""


# ------------------------------------------------------------------------------ the course


@dc.dataclass(frozen=True, slots=True)
class CourseKey:
    """What a timeline depends on in the content, and its fingerprint."""

    clause_ids: tuple[str, ...]
    """The clauses on the mastery map, in order: a stored clause is its position here."""
    on_map: Mapping[str, str]
    """Clause an item may cite → the clause on the map it counts for."""
    nodes: Mapping[tuple[str, str], tuple[str, Mapping[str, tuple[str, ...]], tuple[str, ...]]]
    """(scenario, node) → (its item, action → the clauses it is evidence for, the node's own)."""
    fingerprint: str


_KEYS: dict[int, tuple[Course, CourseKey]] = {}


def course_key(course: Course) -> CourseKey:
    """The course's :class:`CourseKey` (worked out once per course object)."""
    kept = _KEYS.get(id(course))
    if kept is not None and kept[0] is course:
        return kept[1]
    on_map = map_clauses(course.directive)
    nodes = {}
    for scenario in course.scenarios:
        for node in scenario.nodes:
            actions = {a.id: _mapped(a.cites, on_map) for a in node.actions if a.cites}
            nodes[(scenario.id, node.id)] = (
                node_item(scenario.id, node.id),
                actions,
                _mapped(node.cites, on_map),
            )
    clause_ids = requirement_clauses(course.directive)
    rules = (
        [d.total_seconds() for d in review.INTERVALS],
        [mastery.MASTERY_ITEMS, mastery.MASTERY_SHARE, mastery.RECENT, mastery.MASTERY_BOX],
    )
    described = json.dumps(
        [FORMAT, rules, clause_ids, sorted(on_map.items()), sorted((list(k), v) for k, v in nodes.items())],
        sort_keys=True,
    )
    key = CourseKey(clause_ids, on_map, nodes, hashlib.sha256(described.encode()).hexdigest()[:16])
    if len(_KEYS) >= 8:
        _KEYS.clear()
    _KEYS[id(course)] = (course, key)
    return key


def fingerprint(course: Course) -> str:
    """What the stored timelines of ``course`` are computed under: its clauses on the map, what
    each scenario node and action cites, the mastery and schedule rules, and :data:`FORMAT`."""
    return course_key(course).fingerprint


def _mapped(cites: Iterable[str], on_map: Mapping[str, str]) -> tuple[str, ...]:
    """The clauses on the map that citing ``cites`` is evidence for (:func:`mastery.map_clauses`)."""
    return tuple(dict.fromkeys(on_map[c] for c in cites if c in on_map))


COURSE_REUSE_S = 5.0
"""How long a write path reuses the course it loaded before checking the content's files again
(a check stats every file: a third of a refresh). A row computed under a course edited since
carries the old fingerprint, so the report recomputes it: reusing never gives wrong figures."""
_SERVED: dict[Path, tuple[float, Course]] = {}


def default_course() -> Course | None:
    """The course this installation serves (``$NEUGUONG_CONTENT`` or the kit's), for the write
    paths, which know no course; ``None`` (logged) if it cannot be read."""
    from widgets.content.course import default_content_dir, load_course

    root = Path(default_content_dir())
    kept = _SERVED.get(root)
    now = time.monotonic()
    if kept is not None and now - kept[0] < COURSE_REUSE_S:
        return kept[1]
    try:
        course = load_course(root)
    except (ContentError, OSError) as error:
        log.warning("retention timelines left stale: the course cannot be read (%s)", error)
        return None
    _SERVED[root] = (now, course)
    return course


# ---------------------------------------------------------------------------- the evidence


def evidence(conn: Connection, course: Course, learner_ids: Sequence[str] | None) -> dict[str, list[Event]]:
    """Learner → their evidence (the rules of :func:`widgets.engine.mastery.outcomes`), one
    event per answer or choice that cites a clause on the map; every learner's if ``None``."""
    key = course_key(course)
    found: dict[str, list[Event]] = {}
    _answer_events(conn, key, learner_ids, found)
    _choice_events(conn, key, learner_ids, found)
    return found


def _answer_events(
    conn: Connection, key: CourseKey, learner_ids: Sequence[str] | None, found: dict[str, list[Event]]
) -> None:
    """A question's first try in each attempt, for every clause it cites, into ``found``."""
    naive = _naive(conn)
    a = answers.c
    which = [a.learner_id.in_(learner_ids)] if learner_ids is not None else []
    cited: dict[str, tuple[str, ...]] = {}
    items: dict[str, str] = {}
    query = sa.select(a.learner_id, a.question_id, a.cites, a.correct, _stored_time(conn, a.answered_at))
    for learner_id, question_id, cites, correct, when in _raw(conn, query.where(a.try_no == 1, *which)):
        clauses = cited.get(cites)
        if clauses is None:
            clauses = cited[cites] = _mapped(json.loads(cites), key.on_map)
        if clauses:
            item = items.get(question_id) or items.setdefault(question_id, question_item(question_id))
            found.setdefault(learner_id, []).append((naive(when), item, bool(correct), clauses))


def _choice_events(
    conn: Connection, key: CourseKey, learner_ids: Sequence[str] | None, found: dict[str, list[Event]]
) -> None:
    """A scenario node's first choice in each run (right unless a violation), for the clauses its
    action — or else the node — cites, into ``found``."""
    naive = _naive(conn)
    sc = scenario_choices.c
    which = [sc.learner_id.in_(learner_ids)] if learner_ids is not None else []
    first: dict[tuple[str, str, str], tuple[datetime, str, str, str]] = {}
    query = sa.select(
        sc.learner_id,
        sc.attempt_id,
        sc.scenario_id,
        sc.node_id,
        sc.action_id,
        sc.rating,
        _stored_time(conn, sc.chosen_at),
    )
    for learner_id, attempt_id, scenario_id, node_id, action_id, rating, when in _raw(
        conn, query.where(*which)
    ):
        moment = naive(when)
        kept = first.get(run := (attempt_id, scenario_id, node_id))
        if kept is None or moment < kept[0]:
            first[run] = (moment, learner_id, action_id, rating)
    violation = Rating.VIOLATION.value
    for (_, scenario_id, node_id), (moment, learner_id, action_id, rating) in first.items():
        node = key.nodes.get((scenario_id, node_id))
        if node is None:  # content changed since: nothing to cite
            continue
        item, by_action, own = node
        clauses = by_action.get(action_id, own)
        if clauses:
            found.setdefault(learner_id, []).append((moment, item, rating != violation, clauses))


def _raw(conn: Connection, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as the driver gives them (no per-value processing: the times are
    read by :func:`_naive`, the booleans by ``bool``)."""
    return list(conn.execute(query).cursor.fetchall())


def _stored_time(conn: Connection, column: sa.ColumnElement[datetime]) -> sa.ColumnElement[object]:
    """A time column as :func:`_naive` reads it: SQLite's text as stored; PostgreSQL's UTC wall
    time (``timezone('UTC', …)``: a naive value, no conversion per row in Python)."""
    if conn.dialect.name == "sqlite":
        return sa.type_coerce(column, sa.String)
    return sa.func.timezone("UTC", column)


def _naive(conn: Connection) -> Callable[[Any], datetime]:
    """A value of :func:`_stored_time` → naive UTC datetime (SQLite: parsed; PostgreSQL: as is)."""
    if conn.dialect.name == "sqlite":
        return datetime.fromisoformat
    return _as_is


def _as_is(value: datetime) -> datetime:
    return value


def clause_timelines(events: list[Event]) -> dict[str, ClauseTimeline]:
    """One learner's events (sorted here in place) → the timeline of each clause they met, the
    evidence in the order of :func:`widgets.engine.review.schedule_clause`."""
    events.sort()
    by_clause: dict[str, list[Evidence]] = {}
    for moment, item, correct, clauses in events:
        outcome = (moment, item, correct)
        for clause_id in clauses:
            kept = by_clause.get(clause_id)
            if kept is None:
                by_clause[clause_id] = [outcome]
            else:
                kept.append(outcome)
    return {cid: clause_timeline(cid, ordered) for cid, ordered in by_clause.items()}


# ------------------------------------------------------------------------------ the rows


def micros(moment: datetime) -> int:
    """A time as stored: microseconds since 1970 UTC (naive times are UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    """A stored time back as an aware UTC datetime."""
    return (_EPOCH + value * _MICROSECOND).replace(tzinfo=UTC)


def _or_never(moment: datetime | None) -> int:
    return NEVER if moment is None else micros(moment)


def encode(found: Mapping[str, ClauseTimeline], key: CourseKey) -> tuple[bytes, bytes]:
    """One learner's timelines as the row's ``clauses`` and ``spans`` (see the module docstring)."""
    marks, spans = array("q"), array("q")
    for n, clause_id in enumerate(key.clause_ids):
        timeline = found.get(clause_id)
        if timeline is None:
            continue
        marks.extend(
            (n, micros(timeline.first_at), _or_never(timeline.mastered_at), _or_never(timeline.lapsed_at))
        )
        for span in timeline.spans:
            spans.extend((n, STATE_CODES[span.state], micros(span.start), _or_never(span.end)))
    if sys.byteorder == "big":
        marks.byteswap()
        spans.byteswap()
    return marks.tobytes(), spans.tobytes()


def compute(conn: Connection, course: Course, learner_ids: Sequence[str]) -> dict[str, tuple[bytes, bytes]]:
    """Learner → their row's ``clauses`` and ``spans``, from the evidence ``conn`` sees now."""
    key = course_key(course)
    found = evidence(conn, course, learner_ids)
    return {lid: encode(clause_timelines(found.get(lid, [])), key) for lid in learner_ids}


def refresh(conn: Connection, learner_ids: Iterable[str] | None, course: Course | None = None) -> int:
    """Recompute and store the timelines of ``learner_ids`` (every learner's if ``None``) from
    their evidence, in the caller's transaction; how many rows were written.

    Every write path that adds evidence calls it. ``course``: the course to compute under
    (default: :func:`default_course`; if that cannot be read, the learners' rows are dropped,
    stale, for the report to recompute). Learners who do not exist are skipped. On PostgreSQL
    each learner's row in ``learners`` is locked first (``FOR NO KEY UPDATE``, which foreign
    keys do not wait for), so two writers of one learner refresh one after the other and the
    second sees the first's evidence."""
    if learner_ids is None:
        wanted = list(conn.execute(sa.select(learners.c.id).order_by(learners.c.id)).scalars())
    else:
        wanted = sorted(set(learner_ids))
    if not wanted:
        return 0
    course = course or default_course()
    written = 0
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        present = list(
            conn.execute(
                sa.select(learners.c.id)
                .where(learners.c.id.in_(chunk))
                .order_by(learners.c.id)
                .with_for_update(key_share=True)
            ).scalars()
        )
        conn.execute(retention_timelines.delete().where(retention_timelines.c.learner_id.in_(chunk)))
        if course is None or not present:
            continue
        fp = fingerprint(course)
        rows = [
            {"learner_id": lid, "fingerprint": fp, "clauses": marks, "spans": spans}
            for lid, (marks, spans) in compute(conn, course, present).items()
        ]
        conn.execute(retention_timelines.insert(), rows)
        written += len(rows)
    return written


def stale_learners(conn: Connection, course: Course, chosen: Chosen = None) -> list[str]:
    """The learners of ``chosen`` whose row is missing or computed under another course."""
    t = retention_timelines.c
    query = (
        sa.select(learners.c.id)
        .outerjoin(retention_timelines, t.learner_id == learners.c.id)
        .where(sa.or_(t.learner_id.is_(None), t.fingerprint != fingerprint(course)))
        .order_by(learners.c.id)
    )
    if chosen is not None:
        query = query.where(learners.c.id.in_(chosen))
    return list(conn.execute(query).scalars())


def refresh_stale(engine: Engine, course: Course | None = None, chosen: Chosen = None) -> int:
    """Refresh the stale learners of ``chosen`` (every learner's by default), :data:`CHUNK` per
    write transaction; how many rows were written. ``course``: default :func:`default_course`
    (nothing is done if it cannot be read)."""
    course = course or default_course()
    if course is None:
        return 0
    known = course
    stale = db.read(engine, lambda conn: stale_learners(conn, known, chosen))
    return sum(_refresh_in(engine, stale[n : n + CHUNK], known) for n in range(0, len(stale), CHUNK))


def _refresh_in(engine: Engine, learner_ids: Sequence[str], course: Course) -> int:
    """:func:`refresh` in a write transaction of its own."""
    return db.write(engine, lambda conn: refresh(conn, learner_ids, course))


# ------------------------------------------------------------------------- the cohort's rows


@dc.dataclass(frozen=True, slots=True)
class CohortTimelines:
    """The timelines of a cohort, as arrays (one row per clause met, one per span)."""

    clause_ids: tuple[str, ...]
    marks: Int64s
    """``(clause, first_at, mastered_at, lapsed_at)`` per learner and clause met."""
    spans: Int64s
    """``(clause, state, start, end)`` per span."""

    def first_evidence(self, before: datetime) -> datetime | None:
        """The time of the cohort's first evidence before ``before`` (``None``: none)."""
        firsts = self.marks[:, 1]
        firsts = firsts[firsts < micros(before)]
        return from_micros(int(firsts.min())) if firsts.size else None

    def ever_mastered(self, before: datetime) -> tuple[int, ...]:
        """Per clause: the learners who had mastered it at an answer before ``before``."""
        return self._per_clause(self.marks[:, 2] < micros(before))

    def forgot(self, before: datetime) -> tuple[int, ...]:
        """Per clause: the learners who answered it wrongly after mastering it, before ``before``."""
        return self._per_clause(self.marks[:, 3] < micros(before))

    def _per_clause(self, which: npt.NDArray[np.bool_]) -> tuple[int, ...]:
        import numpy as np

        counts = np.bincount(self.marks[which, 0], minlength=len(self.clause_ids))
        return tuple(int(n) for n in counts)

    def state_counts(self, at: Sequence[datetime]) -> list[dict[MasteryState, tuple[int, ...]]]:
        """Per clause, for ``learning``, ``mastered`` and ``due``: the learners in that state at
        each moment of ``at`` (increasing). A span counts at the moments ``start <= m < end``:
        its first and its past-the-end moment are found by bisection, and the counts kept as
        differences (+1 at the first, -1 past the end) summed along the moments."""
        import numpy as np

        k = len(at)
        points = np.array([micros(m) for m in at], dtype=np.int64)
        first = np.searchsorted(points, self.spans[:, 2], side="left")
        after = np.searchsorted(points, self.spans[:, 3], side="left")
        width = len(STATE_CODES) + 1
        group = (self.spans[:, 0] * width + self.spans[:, 1]) * (k + 1)
        size = len(self.clause_ids) * width * (k + 1)
        diff = np.bincount(group + first, minlength=size) - np.bincount(group + after, minlength=size)
        runs = diff.reshape(len(self.clause_ids), width, k + 1).cumsum(axis=2)
        return [
            {state: tuple(int(n) for n in runs[c, code, :k]) for state, code in STATE_CODES.items()}
            for c in range(len(self.clause_ids))
        ]


def _stack(blobs: Iterable[bytes]) -> Int64s:
    """Stored arrays, end to end, as rows of four (native byte order)."""
    import numpy as np

    joined = b"".join(blobs)
    return np.frombuffer(joined, dtype="<i8").astype(np.int64).reshape(-1, 4)


def read_cohort(conn: Connection, course: Course, chosen: Chosen = None) -> CohortTimelines:
    """The timelines of the learners of ``chosen`` (every learner by default), as ``conn`` sees
    them: the stored rows computed under ``course``, and, for any learner stale in this snapshot
    (see :func:`stale_learners`), the timelines computed here and not stored."""
    key = course_key(course)
    t = retention_timelines.c
    query = sa.select(t.clauses, t.spans).where(t.fingerprint == key.fingerprint)
    if chosen is not None:
        query = query.where(t.learner_id.in_(chosen))
    rows = _raw(conn, query)
    stale = stale_learners(conn, course, chosen)
    if stale:
        log.info("retention: %d learners' timelines computed without being stored", len(stale))
        rows += list(compute(conn, course, stale).values())
    return CohortTimelines(key.clause_ids, _stack(row[0] for row in rows), _stack(row[1] for row in rows))
