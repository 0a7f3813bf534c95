"""Retention by clause by replaying every answer: the reference for
:func:`widgets.reports.retention.retention`.

This is the report as it was before the records kept each learner's timelines
(:mod:`widgets.records.timelines`): read every piece of evidence of the cohort, replay it per
learner and clause in time order, and count the state held between the moments. It is about
ten times slower on 10,000 learners and says the same thing the direct way, so
``tests/reports/test_retention.py`` holds the stored timelines' figures to it.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.content.model import Course, Rating
from widgets.engine.mastery import (
    MASTERY_BOX,
    MASTERY_ITEMS,
    RECENT,
    MasteryState,
    map_clauses,
    node_item,
    question_item,
    requirement_clauses,
    state_of,
)
from widgets.engine.review import ClauseSchedule, step
from widgets.records import db
from widgets.records.schema import answers, learners, scenario_choices
from widgets.records.statistics.filters import Filters, learner_ids, of_chosen

# How the evidence's times are read is shared with the stored timelines; the replay below is the reference.
from widgets.records.timelines import _naive, _raw, _stored_time
from widgets.reports.retention import ClauseRetention, Retention, moments

STATES = tuple(MasteryState)
Evidence = tuple[datetime, str, bool]
"""(when, item, right) for one clause: naive UTC time (comparisons only), ``question:…``/``node:…``."""
Event = tuple[datetime, str, bool, tuple[str, ...]]
"""(when, item, right, the clauses on the map it is evidence for): one answer or scenario choice."""


def evidence_of(
    conn: Connection, course: Course, chosen: sa.Select[Any] | None, until: datetime | None
) -> dict[str, list[Event]]:
    """Learner → the evidence in their answers and choices before ``until`` (the rules of
    :func:`mastery.outcomes`), one event per answer or choice that cites a clause on the map."""
    on_map = map_clauses(course.directive)
    found: dict[str, list[Event]] = defaultdict(list)
    _answer_events(conn, on_map, chosen, until, found)
    _choice_events(conn, course, on_map, chosen, until, found)
    return found


def _answer_events(
    conn: Connection,
    on_map: Mapping[str, str],
    chosen: sa.Select[Any] | None,
    until: datetime | None,
    found: dict[str, list[Event]],
) -> None:
    """A question's first try in each attempt, for every clause it cites, into ``found``."""
    naive = _naive(conn)
    a = answers.c
    at = _stored_time(conn, a.answered_at)
    before = [a.answered_at < until] if until is not None else []
    cited: dict[str, tuple[str, ...]] = {}
    items: dict[str, str] = {}
    rows = _raw(
        conn,
        sa.select(a.learner_id, a.question_id, a.cites, a.correct, at).where(
            a.try_no == 1, *of_chosen(answers, chosen), *before
        ),
    )
    for learner_id, question_id, cites, correct, when in rows:
        clauses = cited.get(cites)
        if clauses is None:
            clauses = cited[cites] = _mapped(json.loads(cites), on_map)
        if clauses:
            item = items.get(question_id) or items.setdefault(question_id, question_item(question_id))
            found[learner_id].append((naive(when), item, bool(correct), clauses))


def _choice_events(
    conn: Connection,
    course: Course,
    on_map: Mapping[str, str],
    chosen: sa.Select[Any] | None,
    until: datetime | None,
    found: dict[str, list[Event]],
) -> None:
    """A scenario node's first choice in each run (right unless a violation), for the clauses its
    action — or else the node — cites, into ``found``."""
    naive = _naive(conn)
    sc = scenario_choices.c
    at = _stored_time(conn, sc.chosen_at)
    before = [sc.chosen_at < until] if until is not None else []
    first: dict[tuple[str, str, str], tuple[datetime, str, str, str]] = {}
    rows = _raw(
        conn,
        sa.select(
            sc.learner_id, sc.attempt_id, sc.scenario_id, sc.node_id, sc.action_id, sc.rating, at
        ).where(*of_chosen(scenario_choices, chosen), *before),
    )
    for learner_id, attempt_id, scenario_id, node_id, action_id, rating, when in rows:
        key = (attempt_id, scenario_id, node_id)
        moment = naive(when)
        kept = first.get(key)
        if kept is None or moment < kept[0]:
            first[key] = (moment, learner_id, action_id, rating)
    node_cites = _node_cites(course, on_map)
    violation = Rating.VIOLATION.value
    for (_, scenario_id, node_id), (moment, learner_id, action_id, rating) in first.items():
        node = node_cites.get((scenario_id, node_id))
        if node is None:  # content changed since: nothing to cite
            continue
        item, by_action, fallback = node
        clauses = by_action.get(action_id, fallback)
        if clauses:
            found[learner_id].append((moment, item, rating != violation, clauses))


def _mapped(cites: Iterable[str], on_map: Mapping[str, str]) -> tuple[str, ...]:
    """The mastery-map clauses that citing ``cites`` is evidence for (:func:`mastery.map_clauses`)."""
    return tuple(dict.fromkeys(on_map[c] for c in cites if c in on_map))


def _node_cites(
    course: Course, on_map: Mapping[str, str]
) -> dict[tuple[str, str], tuple[str, dict[str, tuple[str, ...]], tuple[str, ...]]]:
    """(scenario, node) → (its item ID, action → the clauses it is evidence for, the node's own)."""
    found = {}
    for scenario in course.scenarios:
        for node in scenario.nodes:
            own = _mapped(node.cites, on_map)
            actions = {action.id: _mapped(action.cites, on_map) for action in node.actions if action.cites}
            found[(scenario.id, node.id)] = (node_item(scenario.id, node.id), actions, own)
    return found


def replay(
    clause_ids: Sequence[str],
    evidence: Mapping[str, list[Event]],
    learners: int,
    at: Sequence[datetime],
    labels: Mapping[str, str] | None = None,
) -> Retention:
    """The retention figures at the moments ``at`` (aware, increasing) from each learner's evidence
    (naive UTC, as :func:`evidence_of` gives; sorted here in place) for a cohort of ``learners``."""
    points = [m.astimezone(UTC).replace(tzinfo=None) for m in at]
    k = len(points)
    index = {cid: n for n, cid in enumerate(clause_ids)}
    # diff[clause][state][j]: +1 where a run of moments in that state starts, -1 after it ends
    diff = [{s: [0] * (k + 1) for s in STATES} for _ in clause_ids]
    mastered_once = [0] * len(clause_ids)
    forgot = [0] * len(clause_ids)
    for events in evidence.values():
        for clause_id, ordered in _by_clause(events).items():
            n = index.get(clause_id)
            if n is not None:
                was_mastered, lapsed_after = _replay_clause(clause_id, ordered, points, diff[n])
                mastered_once[n] += was_mastered
                forgot[n] += lapsed_after
    clauses = []
    for n, clause_id in enumerate(clause_ids):
        runs = diff[n]
        series: dict[MasteryState, tuple[int, ...]] = {}
        for s in STATES:
            total, values = 0, []
            for j in range(k):
                total += runs[s][j]
                values.append(total)
            series[s] = tuple(values)
        met = [sum(series[s][j] for s in STATES) for j in range(k)]
        series[MasteryState.NEW] = tuple(learners - m for m in met)
        clauses.append(
            ClauseRetention(clause_id, (labels or {}).get(clause_id, ""), series, mastered_once[n], forgot[n])
        )
    return Retention(tuple(at), learners, tuple(clauses))


def _by_clause(events: list[Event]) -> dict[str, list[Evidence]]:
    """One learner's events (sorted here in place) → each clause's evidence in time order (then
    by item: the order of :func:`widgets.engine.review.schedule_clause`)."""
    events.sort()
    found: dict[str, list[Evidence]] = {}
    for moment, item, correct, clauses in events:
        outcome = (moment, item, correct)
        for clause_id in clauses:
            kept = found.get(clause_id)
            if kept is None:
                found[clause_id] = [outcome]
            else:
                kept.append(outcome)
    return found


def _replay_clause(
    clause_id: str, ordered: list[Evidence], points: Sequence[datetime], counts: dict[MasteryState, list[int]]
) -> tuple[bool, bool]:
    """One learner's evidence on one clause (time order, not empty) replayed: the state held between
    ``points`` added to ``counts`` (:func:`_hold`); whether it was ever mastered, and whether
    answered wrongly after that."""
    k = len(points)
    learning, mastered = MasteryState.LEARNING, MasteryState.MASTERED
    schedule = ClauseSchedule(clause_id)
    rights: set[str] = set()
    recent: deque[bool] = deque(maxlen=RECENT)
    was_mastered = lapsed_after = False
    j = bisect.bisect_right(points, ordered[0][0])  # first moment after the first answer
    state: MasteryState | None = learning  # after the latest answer (None: not worked out yet)
    last = ordered[0][0]
    for moment, item, correct in ordered:
        if j < k and points[j] <= moment:  # the moments since the previous answer
            if state is None:
                state = state_of(schedule, True, len(rights), sum(recent) / len(recent), last)
            _hold(counts, schedule, state, j, upto := bisect.bisect_right(points, moment, j), points)
            j = upto
        if not correct or schedule.due_at is None or moment >= schedule.due_at:
            schedule = step(schedule, correct, moment)  # (a right answer before the date moves nothing)
        recent.append(correct)
        last = moment
        state = None
        if correct:
            rights.add(item)
            # Until first mastered the state matters after every right answer. Right after one
            # the clause is not due (the answer was before the date, or it moved the date on), so
            # state_of can say "mastered" only from MASTERY_BOX on with MASTERY_ITEMS right items.
            if not was_mastered and schedule.box >= MASTERY_BOX and len(rights) >= MASTERY_ITEMS:
                state = state_of(schedule, True, len(rights), sum(recent) / len(recent), moment)
                was_mastered = state is mastered
        elif was_mastered:
            lapsed_after = True
    if j < k:
        if state is None:
            state = state_of(schedule, True, len(rights), sum(recent) / len(recent), last)
        _hold(counts, schedule, state, j, k, points)
    return was_mastered, lapsed_after


def _hold(
    counts: dict[MasteryState, list[int]],
    schedule: ClauseSchedule,
    state: MasteryState,
    lo: int,
    hi: int,
    points: Sequence[datetime],
) -> None:
    """Moments ``lo``..``hi - 1`` (no answer between them): the state after the last answer, or
    due from the schedule's date on (:func:`state_of` read at each moment)."""
    if schedule.due_at is None:
        split = hi
    else:
        split = max(lo, min(hi, bisect.bisect_left(points, schedule.due_at, lo, hi)))
    if split > lo:
        kept = state if state is not MasteryState.DUE else MasteryState.LEARNING
        counts[kept][lo] += 1
        counts[kept][split] -= 1
    if hi > split:
        counts[MasteryState.DUE][split] += 1
        counts[MasteryState.DUE][hi] -= 1


def retention(
    engine: Engine,
    course: Course,
    filters: Filters | None = None,
    *,
    now: datetime | None = None,
) -> Retention:
    """The retention figures for the learners of ``filters``, up to ``until`` (or ``now``)."""
    filters = filters or Filters()
    now = now or datetime.now(UTC)
    end = filters.until or now
    chosen = learner_ids(filters)

    def read(conn: Connection) -> tuple[int, dict[str, list[Event]]]:
        count = conn.execute(
            sa.select(sa.func.count()).select_from(learners).where(*of_chosen(learners, chosen))
        )
        return int(count.scalar_one()), evidence_of(conn, course, chosen, end)

    cohort, evidence = db.read(engine, read)
    start = filters.since
    if start is None:
        for events in evidence.values():
            events.sort()
        firsts = [events[0][0] for events in evidence.values() if events]
        start = min(firsts).replace(tzinfo=UTC) if firsts else end
    labels = {clause.id: clause.label for clause in course.directive.clauses}
    return replay(requirement_clauses(course.directive), evidence, cohort, moments(start, end), labels)
