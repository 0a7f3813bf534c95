"""Item analysis as Moodle's quiz statistics report defines it, and its roll-up per clause.

For one quiz (``final`` or a module's practice quiz), over the finished attempts included
(``which="first"``: each learner's first finished attempt, the default; ``"all"``: every
finished attempt), each question's mark in an attempt is its last try (highest ``try_no``).
Questions drawn at random are analysed over the attempts that drew them.

* **Facility index** F = mean of mark / max mark, in [0, 1] (Moodle shows it as a percentage).
* **Discrimination index** D = 100 × cov(x, r) / √(var(x) · var(r)), where x is the item's
  mark and r the rest of the test (the attempt's total mark minus x) — Moodle's formula;
  ``None`` when fewer than two attempts or either variance is zero.
* **Most-chosen wrong answer**: the commonest response not given full marks, over every try.

Flags (only with at least :data:`MIN_RESPONSES` attempts): ``too-easy`` when F > 0.90,
``too-hard`` when F < 0.20 (Moodle's bands call 90–100 % "very/extremely easy" and 20 % and
below "difficult" or worse), ``negative`` when D < 0 (the item favours weaker learners:
check the key; a D within :data:`ROUNDING` of 0 is 0, whatever sign rounding gave it).

Computed in the database (SQLAlchemy Core, SQLite and PostgreSQL): only one row per item leaves
it. Each finished attempt's marks are its last tries (an anti-join on a later try, or on
PostgreSQL ``DISTINCT ON`` along the index); :func:`item_ways` lists the ways, all with the same
figures.
"""

from __future__ import annotations

import dataclasses as dc
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from widgets.content.model import Clause, Question
from widgets.engine.solution import response_label
from widgets.records.schema import answers, attempts
from widgets.records.statistics.filters import (
    Filters,
    Ids,
    distinct_on,
    in_time,
    learner_ids,
    of_chosen,
    quiz_attempts,
)

TOO_EASY = 0.90
TOO_HARD = 0.20
MIN_RESPONSES = 5
FIRST, ALL = "first", "all"
FLAGS = ("too-easy", "too-hard", "negative")
ROUNDING = 1e-9
"""Discrimination indices closer than this to 0 are 0 (a zero covariance summed in floating point)."""


@dc.dataclass(frozen=True, slots=True)
class WrongAnswer:
    response: str
    """The stored response (canonical JSON)."""
    label: str
    """The response in words (choice texts, typed text)."""
    count: int
    share: float
    """Of all wrong responses to the item."""


@dc.dataclass(frozen=True, slots=True)
class ItemStat:
    question_id: str
    module_id: str
    stem: str
    cites: tuple[str, ...]
    n: int
    """Attempts with a mark for this item."""
    facility: float | None
    sd: float | None
    """Standard deviation of mark / max (population)."""
    discrimination: float | None
    wrong: WrongAnswer | None
    flags: tuple[str, ...]


@dc.dataclass(frozen=True, slots=True)
class ClauseStat:
    clause_id: str
    label: str
    items: int
    responses: int
    facility: float | None
    """Pooled: mean mark / max over every response to the items citing the clause."""
    flagged: int
    weakest: str | None
    """The citing item with the lowest facility."""


def item_statistics(
    conn: Connection,
    filters: Filters,
    quiz_id: str,
    questions: Mapping[str, Question] | None = None,
    *,
    which: str = FIRST,
    way: str | None = None,
) -> list[ItemStat]:
    """Moodle's item analysis of ``quiz_id`` (see the module docstring), in course order.

    ``way``: how each attempt's marks and total are found, one of :func:`item_ways` (see
    :func:`_item_figures`; all give the same figures); by default the first, as suits the backend.
    """
    if which not in (FIRST, ALL):
        raise ValueError(f"which must be {FIRST!r} or {ALL!r}")
    way = way or item_ways(conn.dialect.name)[0]
    if way not in item_ways(conn.dialect.name):
        raise ValueError(f"way must be one of {item_ways(conn.dialect.name)}")
    questions = questions or {}
    chosen = learner_ids(filters)
    included = _included(conn.dialect.name, quiz_attempts(filters, chosen, quiz_id), first=which == FIRST)

    def given(table: sa.FromClause) -> list[sa.ColumnElement[bool]]:
        module = [table.c.module_id == filters.module_id] if filters.module_id else []
        return [*of_chosen(table, chosen), *in_time(table.c.answered_at, filters), *module]

    figures = {row.question_id: row for row in conn.execute(_item_figures(included, given, way=way))}
    wrong: dict[str, Counter[str]] = defaultdict(Counter)
    for question_id, response, count in conn.execute(
        sa.select(answers.c.question_id, answers.c.response, sa.func.count())
        .where(answers.c.attempt_id.in_(included), *given(answers), sa.not_(answers.c.correct))
        .group_by(answers.c.question_id, answers.c.response)
    ):
        wrong[question_id][response] = count
    return [
        item_stat(
            question_id,
            row.module_id,
            questions.get(question_id),
            row.n,
            row.sf / row.n,
            math.sqrt(_spread(row.n, row.sf, row.sff, row.f_same) / row.n),
            pearson(
                row.n,
                row.sxr - row.sx * row.sr / row.n,
                _spread(row.n, row.sx, row.sxx, row.x_same),
                _spread(row.n, row.sr, row.srr, row.r_same),
            ),
            wrong,
        )
        for question_id in course_order(figures, questions)
        for row in [figures[question_id]]
    ]


WINDOWED, JOINED, LATERAL = "windowed", "joined", "lateral"
"""The ways to an item's marks and their attempt's total (see :func:`_item_figures`)."""


def item_ways(dialect: str) -> tuple[str, ...]:
    """The ways :func:`item_statistics` can find the marks on ``dialect``, the fastest first."""
    return (LATERAL, JOINED, WINDOWED) if dialect == "postgresql" else (WINDOWED, JOINED)


def _included(dialect: str, quiz: list[sa.ColumnElement[bool]], *, first: bool) -> Ids:
    """The IDs of the finished attempts analysed: each learner's first (``first``) or all.

    The first by ``DISTINCT ON`` on PostgreSQL: its planner expects one row per learner there,
    where after a ``ROW_NUMBER() = 1`` filter it expected a handful and planned the marks'
    sorts and aggregates for that (sorts spilled to disk, no hash aggregate).
    """
    a = attempts.c
    done = [*quiz, a.finished_at.is_not(None)]
    if not first:
        return sa.select(a.id).where(*done)
    if dialect == "postgresql":
        firsts = (
            distinct_on(sa.select(a.id).where(*done), a.learner_id)
            .order_by(a.learner_id, a.started_at, a.id)
            .subquery("finished")
        )
        return sa.select(firsts.c.id)
    rn = sa.func.row_number().over(partition_by=a.learner_id, order_by=(a.started_at, a.id))
    finished = sa.select(a.id, rn.label("rn")).where(*done).subquery("finished")
    return sa.select(finished.c.id).where(finished.c.rn == 1)


def _spread(n: int, total: float, squares: float, same: bool) -> float:
    """Σ(v − v̄)² from Σv and Σv²; exactly 0 when every value is the same."""
    return 0.0 if same else max(0.0, squares - total * total / n)


def _item_figures(
    included: Ids,
    given: Callable[[sa.FromClause], list[sa.ColumnElement[bool]]],
    *,
    way: str,
) -> sa.Select[*tuple[Any, ...]]:
    """Per question: n, and the sums of the fraction f, the mark x, the rest r, their squares and
    x·r, with whether each series is constant (so that a zero variance comes out exactly zero).

    An item's mark in an attempt is its last try (no later try, by ``try_no`` then ID); r is the
    attempt's total over its marks minus x. One pass over the marks (the items' spreads are small
    next to their means, so the sums of squares lose nothing that matters to the figures).

    ``way``: :data:`WINDOWED`, each mark's attempt total as a window over the marks (SQLite: they
    come in the index's order, attempt by attempt, so the window needs no sort; about 15 % faster
    there than grouping the totals apart and joining them back, which takes a sort and an
    automatic index); :data:`JOINED`, grouped and joined; or :data:`LATERAL` (PostgreSQL only,
    see :func:`_last_tries`).
    """
    if way == LATERAL:
        return _figures(_last_tries(included, given), windowed=True)
    later = answers.alias("later")
    a, b = answers.c, later.c
    newer = (
        sa.select(b.id)
        .where(
            b.attempt_id == a.attempt_id,
            b.question_id == a.question_id,
            sa.tuple_(b.try_no, b.id) > sa.tuple_(a.try_no, a.id),
            *given(later),
        )
        .exists()
    )
    fraction = sa.case((a.max_score != 0, a.score / a.max_score), else_=0.0)
    columns = [a.attempt_id, a.question_id, a.module_id, a.score.label("x"), fraction.label("f")]
    windowed = way == WINDOWED
    if windowed:
        columns.append(sa.func.sum(a.score).over(partition_by=a.attempt_id).label("total"))
    marks = sa.select(*columns).where(a.attempt_id.in_(included), *given(answers), ~newer).cte("marks")
    return _figures(marks, windowed=windowed)


def _last_tries(included: Ids, given: Callable[[sa.FromClause], list[sa.ColumnElement[bool]]]) -> sa.Subquery:
    """The marks with their attempt's total, for PostgreSQL: per attempt (in ID order, so that
    the total's window needs no sort), its answers read backward along the index with
    ``DISTINCT ON`` the question, which keeps each question's last try with no sort either.

    One index descent per attempt instead of one per mark for the later-try anti-join: about
    half the time on 10,000 learners.
    """
    a = answers.c
    (attempt_id,) = included.selected_columns
    chosen = included.order_by(attempt_id).subquery("chosen")
    fraction = sa.case((a.max_score != 0, a.score / a.max_score), else_=0.0)
    last = (
        distinct_on(
            sa.select(a.question_id, a.module_id, a.score.label("x"), fraction.label("f")).where(
                a.attempt_id == chosen.c.id, *given(answers)
            ),
            a.question_id,
        )
        .order_by(a.question_id.desc(), a.try_no.desc(), a.id.desc())
        .lateral("last")
    )
    total = sa.func.sum(last.c.x).over(partition_by=chosen.c.id)
    return (
        sa.select(chosen.c.id.label("attempt_id"), *last.c, total.label("total"))
        .select_from(chosen.join(last, sa.true()))
        .subquery("marks")
    )


def _figures(marks: sa.Subquery | sa.CTE, *, windowed: bool) -> sa.Select[*tuple[Any, ...]]:
    """The per-question sums of :func:`_item_figures` over ``marks`` (with ``total`` if ``windowed``)."""
    m = marks.c
    if windowed:
        r = m.total - m.x
        query = sa.select(m.question_id)
    else:
        totals = (
            sa.select(m.attempt_id, sa.func.sum(m.x).label("total")).group_by(m.attempt_id).subquery("totals")
        )
        r = totals.c.total - m.x
        query = sa.select(m.question_id).join(totals, totals.c.attempt_id == m.attempt_id)
    return (
        query.add_columns(
            sa.func.min(m.module_id).label("module_id"),
            sa.func.count().label("n"),
            sa.func.sum(m.f).label("sf"),
            sa.func.sum(m.f * m.f).label("sff"),
            (sa.func.min(m.f) == sa.func.max(m.f)).label("f_same"),
            sa.func.sum(m.x).label("sx"),
            sa.func.sum(m.x * m.x).label("sxx"),
            (sa.func.min(m.x) == sa.func.max(m.x)).label("x_same"),
            sa.func.sum(r).label("sr"),
            sa.func.sum(r * r).label("srr"),
            (sa.func.min(r) == sa.func.max(r)).label("r_same"),
            sa.func.sum(m.x * r).label("sxr"),
        )
    ).group_by(m.question_id)


def pearson(n: int, cov: float, vx: float, vy: float) -> float | None:
    """r from the centred sums Σ(x−x̄)(y−ȳ), Σ(x−x̄)², Σ(y−ȳ)²; ``None`` for fewer than two
    values or a constant series."""
    if n < 2 or vx <= 1e-12 or vy <= 1e-12:
        return None
    return cov / math.sqrt(vx * vy)


def course_order(question_ids: Iterable[str], questions: Mapping[str, Question]) -> list[str]:
    """The IDs in the order of ``questions`` (the course's), unknown ones last by ID."""
    order = {qid: n for n, qid in enumerate(questions)}
    return sorted(question_ids, key=lambda q: (order.get(q, len(order)), q))


def item_stat(
    question_id: str,
    module_id: str,
    question: Question | None,
    n: int,
    facility: float,
    sd: float,
    r: float | None,
    wrong: Mapping[str, Counter[str]],
) -> ItemStat:
    """One item's statistics from its figures; ``wrong``: question ID → wrong response counts."""
    discrimination = None if r is None else 100.0 * r
    return ItemStat(
        question_id=question_id,
        module_id=module_id,
        stem=question.stem if question else "",
        cites=question.cites if question else (),
        n=n,
        facility=facility,
        sd=sd,
        discrimination=discrimination,
        wrong=_top_wrong(wrong.get(question_id), question),
        flags=flags_for(n, facility, discrimination),
    )


def flags_for(n: int, facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    """The flags of an item (see the module docstring for the thresholds)."""
    if n < MIN_RESPONSES or facility is None:
        return ()
    flags = []
    if facility > TOO_EASY:
        flags.append("too-easy")
    if facility < TOO_HARD:
        flags.append("too-hard")
    if discrimination is not None and discrimination < -ROUNDING:
        flags.append("negative")
    return tuple(flags)


def clause_rollup(items: Iterable[ItemStat], clauses: Sequence[Clause]) -> list[ClauseStat]:
    """Per clause, the items citing it; least understood (lowest facility) first."""
    citing: dict[str, list[ItemStat]] = defaultdict(list)
    for item in items:
        for clause_id in dict.fromkeys(item.cites):
            citing[clause_id].append(item)
    labels = {clause.id: clause.label for clause in clauses}
    position = {clause.id: n for n, clause in enumerate(clauses)}
    result = []
    for clause_id, members in citing.items():
        answered = [item for item in members if item.n and item.facility is not None]
        responses = sum(item.n for item in answered)
        weighted = [item.facility * item.n for item in answered if item.facility is not None]  # all of them
        pooled = math.fsum(weighted) / responses if responses else None
        weakest = min(answered, key=lambda item: (item.facility, item.question_id), default=None)
        result.append(
            ClauseStat(
                clause_id=clause_id,
                label=labels.get(clause_id, ""),
                items=len(members),
                responses=responses,
                facility=pooled,
                flagged=sum(1 for item in members if item.flags),
                weakest=weakest.question_id if weakest else None,
            )
        )
    result.sort(
        key=lambda c: (c.facility is None, c.facility or 0.0, position.get(c.clause_id, len(position)))
    )
    return result


def _top_wrong(counts: Counter[str] | None, question: Question | None) -> WrongAnswer | None:
    if not counts:
        return None
    total = sum(counts.values())
    response, count = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return WrongAnswer(response, response_label(question, response), count, count / total)
