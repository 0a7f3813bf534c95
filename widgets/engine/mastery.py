"""Mastery by clause ("Nắm vững") and the draw of a review ("Ôn tập"): pure, no clock, no database.

**Evidence.** Every answer and scenario choice that cites a clause is one piece of evidence
about it (:class:`~widgets.engine.review.Outcome`), taken from the learner's records wherever
it was made (module quizzes, the final, scenarios, reviews):

* a question counts by its *first try* within each attempt (a second try after the feedback
  says little about what the learner remembered), for every clause the question cites;
* a scenario choice counts once per node within each run, by the first action chosen there:
  right unless its rating is ``violation``; it is evidence for the clauses the chosen action
  cites, or the node's clauses when the action cites none.

**States**, from that evidence and the Leitner schedule (:mod:`widgets.engine.review`) at ``now``:

===============  ===========  ================================================================
state            shown as     rule
===============  ===========  ================================================================
``new``          chưa học     no evidence at all
``due``          cần ôn       the clause's review date has come (a wrong latest answer makes it
                              due at once; a right one after 1, 3, 7, 14 or 30 days)
``mastered``     đã vững      not due, and all three: answered right on at least
                              :data:`MASTERY_ITEMS` (2) distinct items; at least
                              :data:`MASTERY_SHARE` (80 %) of its latest :data:`RECENT` (5)
                              outcomes right; and in box 2 or higher (answered right again after
                              a spaced interval, i.e. not only on the day it was learnt)
``learning``     đang học     everything else (met, not due, not yet mastered)
===============  ===========  ================================================================

**Which clauses.** The map and the reviews cover the directive's 11 citable clauses: the
document itself (``doc``, with its particulars ``doc.to`` and ``doc.ask`` counted towards it),
``heads.1``–``heads.3``, ``officials.1``–``officials.6`` and ``oversight``; the preamble
``officials`` only introduces its sub-clauses (:func:`map_clauses`, :func:`requirement_clauses`).

*How recent* is the schedule (a clause not seen within its box's interval falls due), *how
often right* is the share of the latest outcomes, *on how many distinct items* counts
questions and scenario nodes answered right. ``content/README.md`` repeats this for authors.
"""

from __future__ import annotations

import dataclasses as dc
import random
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from widgets.content.model import Course, Directive, ModuleKind, Node, Question, Rating, Scenario
from widgets.engine.review import ClauseSchedule, Outcome, due_clauses, next_review, schedules

MASTERY_ITEMS = 2
MASTERY_SHARE = 0.8
RECENT = 5
MASTERY_BOX = 2
REVIEW_MIN = 5
REVIEW_MAX = 10


class MasteryState(StrEnum):
    NEW = "new"
    LEARNING = "learning"
    MASTERED = "mastered"
    DUE = "due"


class AnswerRecord(Protocol):
    """What the records give for an answer (``widgets.records.models.StoredAnswer``); read-only,
    so that frozen dataclasses match."""

    @property
    def attempt_id(self) -> str: ...
    @property
    def question_id(self) -> str: ...
    @property
    def try_no(self) -> int: ...
    @property
    def correct(self) -> bool: ...
    @property
    def cites(self) -> tuple[str, ...]: ...
    @property
    def answered_at(self) -> datetime: ...


class ChoiceRecord(Protocol):
    """What the records give for a scenario choice (``widgets.records.models.StoredChoice``);
    read-only, so that frozen dataclasses match."""

    @property
    def attempt_id(self) -> str: ...
    @property
    def scenario_id(self) -> str: ...
    @property
    def node_id(self) -> str: ...
    @property
    def action_id(self) -> str: ...
    @property
    def rating(self) -> str: ...
    @property
    def chosen_at(self) -> datetime: ...


@dc.dataclass(frozen=True, slots=True)
class ClauseMastery:
    clause_id: str
    state: MasteryState
    schedule: ClauseSchedule
    right_items: int
    """Distinct items answered right."""
    recent_share: float
    """Share of right outcomes among the latest :data:`RECENT` (0 when none)."""


@dc.dataclass(frozen=True, slots=True)
class MasteryMap:
    """Every clause of the directive, in the directive's order, at ``now``."""

    clauses: tuple[ClauseMastery, ...]
    now: datetime

    @property
    def due(self) -> list[str]:
        """Clause IDs due now, the longest overdue first."""
        return due_clauses({c.clause_id: c.schedule for c in self.clauses}, self.now)

    @property
    def next_review(self) -> datetime | None:
        """The earliest review date still to come (``None``: none waiting)."""
        return next_review({c.clause_id: c.schedule for c in self.clauses}, self.now)

    def state(self, clause_id: str) -> MasteryState:
        return next(c.state for c in self.clauses if c.clause_id == clause_id)


DOCUMENT_CLAUSE = "doc"
"""The ID (and ID prefix, ``doc.``) of the clauses about the document itself."""


def map_clauses(directive: Directive) -> dict[str, str]:
    """Each clause ID an item may cite → the clause on the mastery map it is evidence for.

    The map has the document (``doc``; its particulars ``doc.*`` count towards it) and every
    requirement with no sub-clause of its own. A clause that only introduces sub-clauses (the
    preamble ``officials``) is on no map entry: the sub-clauses are what a learner practises.
    """
    ids = directive.clause_ids
    found: dict[str, str] = {}
    for cid in ids:
        if cid == DOCUMENT_CLAUSE or cid.startswith(DOCUMENT_CLAUSE + "."):
            found[cid] = DOCUMENT_CLAUSE
        elif not any(other.startswith(cid + ".") for other in ids):
            found[cid] = cid
    return found


def requirement_clauses(directive: Directive) -> tuple[str, ...]:
    """The clauses on the mastery map, in the directive's order (:func:`map_clauses`)."""
    return tuple(dict.fromkeys(map_clauses(directive).values()))


def question_item(question_id: str) -> str:
    return f"question:{question_id}"


def node_item(scenario_id: str, node_id: str) -> str:
    return f"node:{scenario_id}/{node_id}"


def outcomes(
    course: Course, answers: Iterable[AnswerRecord], choices: Iterable[ChoiceRecord]
) -> list[Outcome]:
    """The evidence in a learner's answers and choices (rules in the module docstring), for
    the clauses on the mastery map (:func:`map_clauses`)."""
    on_map = map_clauses(course.directive)

    def mapped(cites: Iterable[str]) -> list[str]:
        return list(dict.fromkeys(on_map[c] for c in cites if c in on_map))

    found: list[Outcome] = []
    for answer in answers:
        if answer.try_no != 1:
            continue
        item = question_item(answer.question_id)
        for clause_id in mapped(answer.cites):
            found.append(Outcome(clause_id, item, bool(answer.correct), answer.answered_at))
    nodes = {(s.id, n.id): n for s in course.scenarios for n in s.nodes}
    first: dict[tuple[str, str, str], ChoiceRecord] = {}
    for choice in sorted(choices, key=lambda c: c.chosen_at):
        first.setdefault((choice.attempt_id, choice.scenario_id, choice.node_id), choice)
    for choice in first.values():
        node = nodes.get((choice.scenario_id, choice.node_id))
        if node is None:  # content changed since: nothing to cite
            continue
        action = next((a for a in node.actions if a.id == choice.action_id), None)
        cites = (action.cites if action is not None and action.cites else ()) or node.cites
        right = choice.rating != Rating.VIOLATION.value
        item = node_item(choice.scenario_id, choice.node_id)
        for clause_id in mapped(cites):
            found.append(Outcome(clause_id, item, right, choice.chosen_at))
    return found


def clause_mastery(schedule: ClauseSchedule, evidence: Sequence[Outcome], now: datetime) -> ClauseMastery:
    """One clause's state from its schedule and its evidence (rules in the module docstring)."""
    ordered = sorted(evidence, key=lambda o: (o.at, o.item_id))
    right_items = len({o.item_id for o in ordered if o.correct})
    recent = ordered[-RECENT:]
    share = sum(o.correct for o in recent) / len(recent) if recent else 0.0
    state = state_of(schedule, bool(ordered), right_items, share, now)
    return ClauseMastery(schedule.clause_id, state, schedule, right_items, share)


def state_of(
    schedule: ClauseSchedule, met: bool, right_items: int, recent_share: float, now: datetime
) -> MasteryState:
    """The state from the figures :func:`clause_mastery` works out (the rules in the module
    docstring); the trainer's retention report (``widgets.reports.retention``) replays a
    cohort's evidence with it instead of calling :func:`clause_mastery` at every moment."""
    if not met:
        return MasteryState.NEW
    if schedule.is_due(now):
        return MasteryState.DUE
    if right_items >= MASTERY_ITEMS and recent_share >= MASTERY_SHARE and schedule.box >= MASTERY_BOX:
        return MasteryState.MASTERED
    return MasteryState.LEARNING


def mastery_map(clause_ids: Sequence[str], evidence: Iterable[Outcome], now: datetime) -> MasteryMap:
    """The state of every clause in ``clause_ids`` at ``now``."""
    evidence = list(evidence)
    found = schedules(clause_ids, evidence)
    by_clause: dict[str, list[Outcome]] = {cid: [] for cid in clause_ids}
    for outcome in evidence:
        if outcome.clause_id in by_clause:
            by_clause[outcome.clause_id].append(outcome)
    return MasteryMap(tuple(clause_mastery(found[cid], by_clause[cid], now) for cid in clause_ids), now)


# --------------------------------------------------------------------------- the review draw


@dc.dataclass(frozen=True, slots=True)
class ReviewDraw:
    """What one review asks: 5–10 questions and at most one scenario decision."""

    clauses: tuple[str, ...]
    questions: tuple[Question, ...]
    decision: tuple[Scenario, Node] | None = None


def reviewable_questions(course: Course) -> tuple[Question, ...]:
    """The questions a review may ask: lesson modules' questions, not interpretive ones."""
    return tuple(
        q
        for module in course.modules
        if module.kind is ModuleKind.LESSON
        for q in module.questions
        if not q.interpretive and q.cites
    )


def _latest(evidence: Sequence[Outcome]) -> dict[str, bool]:
    """Item → whether its latest outcome was right."""
    latest: dict[str, Outcome] = {}
    for outcome in evidence:
        seen = latest.get(outcome.item_id)
        if seen is None or outcome.at >= seen.at:
            latest[outcome.item_id] = outcome
    return {item: outcome.correct for item, outcome in latest.items()}


def _priority(item: str, latest: dict[str, bool]) -> int:
    """0: never answered; 1: its latest outcome was wrong; 2: answered right last time."""
    if item not in latest:
        return 0
    return 2 if latest[item] else 1


def draw_review(
    course: Course, due: Sequence[str], evidence: Sequence[Outcome], seed: int | str
) -> ReviewDraw:
    """The review for the clauses in ``due`` (reproducible for the same inputs and ``seed``).

    Questions citing a due clause are taken unseen first, then those last answered wrongly,
    then the rest, ties broken at random; every due clause gets a question first (while there
    is room), then the places fill up to :data:`REVIEW_MAX`, at least :data:`REVIEW_MIN` when
    the bank allows (a small bank gives fewer). One scenario decision is a node, with actions,
    whose node or actions cite a due clause, chosen by the same preference.
    """
    if not due:
        return ReviewDraw((), ())
    rng = random.Random(f"review:{seed}")
    latest = _latest(evidence)
    wanted = set(due)
    pool = [q for q in reviewable_questions(course) if wanted & set(q.cites)]
    keyed = sorted(pool, key=lambda q: (_priority(question_item(q.id), latest), rng.random()))
    count = min(REVIEW_MAX, len(keyed), max(REVIEW_MIN, 2 * len(due)))
    chosen: list[Question] = []
    for clause_id in due:
        if len(chosen) >= count:
            break
        pick = next((q for q in keyed if clause_id in q.cites and q not in chosen), None)
        if pick is not None and not any(clause_id in q.cites for q in chosen):
            chosen.append(pick)
    chosen += [q for q in keyed if q not in chosen][: count - len(chosen)]
    nodes = [
        (s, n)
        for s in course.scenarios
        for n in s.nodes
        if n.actions and wanted & ({*n.cites} | {c for a in n.actions for c in a.cites})
    ]
    decision = None
    if nodes:
        nodes.sort(key=lambda sn: (_priority(node_item(sn[0].id, sn[1].id), latest), rng.random()))
        decision = nodes[0]
    return ReviewDraw(tuple(due), tuple(chosen), decision)
