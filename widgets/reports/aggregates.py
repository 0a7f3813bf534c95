"""The dashboard's sections aggregated in the database (SQLAlchemy Core, SQLite and PostgreSQL).

Each function gives what its pure counterpart gives over a loaded :class:`Cohort`
(:func:`~widgets.reports.completion.learner_completion`, :func:`~widgets.reports.scores.score_report`,
:func:`~widgets.reports.items.item_statistics`, :func:`~widgets.reports.scenarios.scenario_analysis`),
with the same filters, but only one row per learner, per item or per node action leaves the
database (``tests/reports/test_reports_sql_agrees.py`` holds the two to the same figures).

The queries are shaped for migration 5's covering indexes: grouped passes over an index in its
order, ``ROW_NUMBER()`` windows only over the few attempts at one quiz (and, on SQLite, an
attempt's total as a window over marks that come in its order), an anti-join for an item's
last try. PostgreSQL takes ``DISTINCT ON`` instead where it keeps a first or last row in an
index's order (a learner's first attempt and first choice at a node, an item's last try in an
attempt): no window, no anti-join, and row estimates its planner can use. Counted attempts
tie on equal percentages; the pure policy also treats percentages within 1e-9 as equal, which
rounding alone never produces between attempts.
"""

from __future__ import annotations

import functools
import math
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from widgets.content.model import Question, Scenario
from widgets.records import policy
from widgets.records.progress import Requirement
from widgets.records.schema import answers, attempts, certificates, completions, scenario_choices
from widgets.reports.completion import LearnerCompletion
from widgets.reports.items import ALL, FIRST, ItemStat, course_order, item_stat, pearson
from widgets.reports.queries import (
    Filters,
    LearnerRow,
    chosen_learners,
    in_time,
    learner_ids,
    of_chosen,
)
from widgets.reports.scenarios import NodeStat, node_stats
from widgets.reports.scores import ScoreReport, make_report

_BITS = 62
"""Parts per bitmask column (a signed 64-bit sum)."""


def _percent(table: sa.Table) -> sa.ColumnElement[float]:
    """100 · score / max score, NULL without a score or a maximum (as ``AttemptSummary.percent``)."""
    return sa.case((table.c.max_score != 0, 100.0 * table.c.score / table.c.max_score))


def _until(column: sa.ColumnElement[Any], filters: Filters) -> list[sa.ColumnElement[bool]]:
    return [column < filters.until] if filters.until is not None else []


def _counted(conditions: Sequence[sa.ColumnElement[bool]]) -> sa.Subquery:
    """Each learner's counted attempt among the quiz attempts meeting ``conditions`` (``rn = 1``):
    the highest finished percentage, the earliest on ties (:func:`policy.counted_attempt`)."""
    percent = _percent(attempts)
    return (
        sa.select(
            attempts.c.learner_id,
            percent.label("percent"),
            attempts.c.passed,
            sa.func.row_number()
            .over(
                partition_by=attempts.c.learner_id,
                order_by=(percent.desc(), attempts.c.started_at, attempts.c.id),
            )
            .label("rn"),
        )
        .where(
            *conditions, attempts.c.kind == "quiz", attempts.c.finished_at.is_not(None), percent.is_not(None)
        )
        .subquery()
    )


def learner_completion(
    conn: Connection, filters: Filters, requirements: Sequence[Requirement]
) -> list[LearnerCompletion]:
    """One row per learner of the filters, ordered by unit then name (completion up to ``until``)."""
    chosen = learner_ids(filters)
    people = conn.execute(chosen_learners(chosen)).all()
    done = _modules_done(conn, filters, chosen, requirements)
    before = _until(attempts.c.started_at, filters)
    best = _counted([attempts.c.activity_id == policy.FINAL_ID, *of_chosen(attempts, chosen), *before])
    finals = {row.learner_id: row for row in conn.execute(sa.select(best).where(best.c.rn == 1)).all()}
    certified = set(
        conn.execute(
            sa.select(certificates.c.learner_id).where(
                *of_chosen(certificates, chosen), *_until(certificates.c.issued_at, filters)
            )
        )
        .scalars()
        .all()
    )
    total = len(requirements)
    rows = []
    for person in people:
        final = finals.get(person.id)
        rows.append(
            LearnerCompletion(
                learner=LearnerRow(*person),
                done=done.get(person.id, ()),
                total=total,
                final_percent=final.percent if final else None,
                final_passed=bool(final and final.passed),
                certified=person.id in certified,
            )
        )
    return rows


def _parts(requirement: Requirement) -> list[tuple[str, str]]:
    """(attempt kind, activity ID) of each part of a requirement: its quiz, then each scenario."""
    quiz = [("quiz", requirement.quiz_id)] if requirement.quiz_id else []
    return quiz + [("scenario", scenario_id) for scenario_id in dict.fromkeys(requirement.scenario_ids)]


def _modules_done(
    conn: Connection,
    filters: Filters,
    chosen: sa.Select[*tuple[Any, ...]] | None,
    requirements: Sequence[Requirement],
) -> dict[str, tuple[str, ...]]:
    """Learner ID → modules complete before ``until``, in the order of ``requirements``: recorded,
    or every part met in a finished attempt (the quiz passed, each scenario run to its end), as
    :func:`progress.is_complete` says.

    Each part of every requirement has a bit; one row per learner carries the sum of the
    distinct bits met (a bitmask, in words of :data:`_BITS` parts). No condition on the
    activity: the grouping then reads the learner-ordered index alone (an ``IN`` list would
    lead SQLite to the activity index and a sort). The bit of a part is looked up by kind, then
    by activity ID (a ``CASE`` on one column each: half the comparisons of one on both).
    Learners share a handful of masks and of module sets: each is worked out once.
    """
    parts = list(dict.fromkeys(part for req in requirements for part in _parts(req)))
    bit = {part: (n // _BITS, 1 << (n % _BITS)) for n, part in enumerate(parts)}
    position: dict[str, int] = defaultdict(int)  # module ID → its bits among the requirements
    for n, req in enumerate(requirements):
        position[req.module_id] |= 1 << n
    met: dict[str, int] = {}  # learner ID → the requirements met, one bit each
    if parts:
        a = attempts.c
        words = []
        for n in range(1 + (len(parts) - 1) // _BITS):
            by_kind: dict[str, dict[str, int]] = defaultdict(dict)
            for (kind, activity), (word, value) in bit.items():
                if word == n:
                    by_kind[kind][activity] = value
            values = (
                (
                    a.kind == kind,
                    sa.case({k: sa.literal(v, sa.BigInteger) for k, v in of.items()}, value=a.activity_id),
                )
                for kind, of in by_kind.items()
            )
            words.append(sa.func.sum(sa.distinct(sa.case(*values))))
        query = (
            sa.select(a.learner_id, *words)
            .where(
                a.finished_at.is_not(None),
                sa.or_(a.kind == "scenario", a.passed.is_(True)),
                *of_chosen(attempts, chosen),
                *_until(a.started_at, filters),
            )
            .group_by(a.learner_id)
        )
        needs = []
        for req in requirements:
            mask = [0] * len(words)
            for part in _parts(req):
                mask[bit[part][0]] |= bit[part][1]
            if any(mask):
                needs.append(
                    (position[req.module_id], [(word, value) for word, value in enumerate(mask) if value])
                )
        requirements_of: dict[tuple[int, ...], int] = {}
        for learner_id, *sums in conn.execute(query).all():
            key = tuple(int(value or 0) for value in sums)
            if key not in requirements_of:
                requirements_of[key] = functools.reduce(
                    operator.or_,
                    (flag for flag, mask in needs if all(key[word] & value == value for word, value in mask)),
                    0,
                )
            met[learner_id] = requirements_of[key]
    for learner_id, recorded in _recorded(conn, filters, chosen, position):
        met[learner_id] = met.get(learner_id, 0) | recorded
    modules_of: dict[int, tuple[str, ...]] = {}
    done = {}
    for learner_id, flags in met.items():
        if flags not in modules_of:
            modules_of[flags] = tuple(req.module_id for n, req in enumerate(requirements) if flags >> n & 1)
        done[learner_id] = modules_of[flags]
    return done


def _recorded(
    conn: Connection,
    filters: Filters,
    chosen: sa.Select[*tuple[Any, ...]] | None,
    position: Mapping[str, int],
) -> list[tuple[str, int]]:
    """(learner ID, the requirements whose module has a completion recorded before ``until``).

    Summed per learner in the database (a learner's modules are distinct, their bits too): a
    row per learner instead of one per completion, about a third of the rows to fetch.
    """
    if not position:
        return []
    c = completions.c
    flags = sa.case({m: sa.literal(bits, sa.BigInteger) for m, bits in position.items()}, value=c.module_id)
    query = (
        sa.select(c.learner_id, sa.func.sum(flags))
        .where(
            c.module_id.in_(list(position)), *of_chosen(completions, chosen), *_until(c.completed_at, filters)
        )
        .group_by(c.learner_id)
    )
    return [(learner_id, int(bits)) for learner_id, bits in conn.execute(query).all()]


def _quiz_attempts(
    filters: Filters, chosen: sa.Select[*tuple[Any, ...]] | None, quiz_id: str
) -> list[sa.ColumnElement[bool]]:
    """Attempts at ``quiz_id`` started in the range, by the chosen learners."""
    return [
        attempts.c.kind == "quiz",
        attempts.c.activity_id == quiz_id,
        *of_chosen(attempts, chosen),
        *in_time(attempts.c.started_at, filters),
    ]


def score_report(conn: Connection, filters: Filters, quiz_id: str = policy.FINAL_ID) -> ScoreReport:
    """The scores of ``quiz_id`` over the attempts started in the range."""
    mine = _quiz_attempts(filters, learner_ids(filters), quiz_id)
    unfinished = sa.func.sum(sa.case((attempts.c.finished_at.is_(None), 1), else_=0))
    total, open_ = conn.execute(sa.select(sa.func.count(), unfinished).where(*mine)).one()
    per_learner = (
        sa.select(sa.func.count().label("n")).where(*mine).group_by(attempts.c.learner_id).subquery()
    )
    spread = conn.execute(sa.select(per_learner.c.n, sa.func.count()).group_by(per_learner.c.n)).all()
    best = _counted(mine)
    counted = conn.execute(sa.select(best.c.percent, best.c.passed).where(best.c.rn == 1)).all()
    return make_report(
        quiz_id,
        ((percent, bool(passed)) for percent, passed in counted),
        total,
        int(open_ or 0),
        {int(n): int(count) for n, count in spread},
    )


def item_statistics(
    conn: Connection,
    filters: Filters,
    quiz_id: str,
    questions: Mapping[str, Question] | None = None,
    *,
    which: str = FIRST,
    way: str | None = None,
) -> list[ItemStat]:
    """Moodle's item analysis of ``quiz_id`` (see :mod:`widgets.reports.items`), in course order.

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
    included = _included(conn.dialect.name, _quiz_attempts(filters, chosen, quiz_id), first=which == FIRST)

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


def _included(
    dialect: str, quiz: list[sa.ColumnElement[bool]], *, first: bool
) -> sa.Select[*tuple[Any, ...]]:
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
            _distinct_on(sa.select(a.id).where(*done), a.learner_id)
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
    included: sa.Select[*tuple[Any, ...]],
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


def _last_tries(
    included: sa.Select[*tuple[Any, ...]], given: Callable[[sa.FromClause], list[sa.ColumnElement[bool]]]
) -> sa.Subquery:
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
        _distinct_on(
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


def scenario_analysis(
    conn: Connection, filters: Filters, scenarios: Sequence[Scenario], *, ranked: bool | None = None
) -> list[NodeStat]:
    """Each learner's first choice per decision node (earliest made in the range), counted per action.

    ``ranked``: count each learner's first choice at a node (default on PostgreSQL) or the choices
    made less the later choices (default on SQLite); both give the same figures.
    """
    if not scenarios:
        return []
    sc = scenario_choices.c
    module = [sc.module_id == filters.module_id] if filters.module_id else []
    made = [
        sc.scenario_id.in_([scenario.id for scenario in scenarios]),
        *of_chosen(scenario_choices, learner_ids(filters)),
        *in_time(sc.chosen_at, filters),
        *module,
    ]
    if ranked is None:
        ranked = conn.dialect.name == "postgresql"
    firsts = _firsts_ranked(conn, made, scenarios) if ranked else _firsts_by_difference(conn, made, scenarios)
    return node_stats(firsts, scenarios)


FirstChoices = dict[tuple[str, str, str], tuple[int, str]]
"""(scenario, node, action) → (learners whose first choice it was, a recorded rating)."""


def _firsts_ranked(
    conn: Connection, made: Sequence[sa.ColumnElement[bool]], scenarios: Sequence[Scenario]
) -> FirstChoices:
    """Keep each learner's first choice at a node and count them: one pass over the index, which
    is in that order. PostgreSQL: ``DISTINCT ON``, counted per node in a column per action as
    :func:`_choices_made` does (they come in node order: no sort, and no hash aggregate on three
    text columns: ~30 % of the query); elsewhere a ``ROW_NUMBER()`` window, counted per action."""
    if conn.dialect.name == "postgresql":
        return _choices_made(conn, _firsts_distinct(made), [], scenarios, again=False)[0]
    r = _ranked(made).subquery("ranked").c
    query = (
        sa.select(r.scenario_id, r.node_id, r.action_id, sa.func.count(), sa.func.max(r.rating))
        .where(r.rn == 1)
        .group_by(r.scenario_id, r.node_id, r.action_id)
    )
    return {(s, n, a): (count, rating) for s, n, a, count, rating in conn.execute(query)}


def _firsts_by_difference(
    conn: Connection, made: Sequence[sa.ColumnElement[bool]], scenarios: Sequence[Scenario]
) -> FirstChoices:
    """Every choice made, less the later choices of learners who chose more than once at a node
    (SQLite: grouped passes over the index in its order instead of a window over every row),
    looked for only at the nodes where some learner did."""
    sc = scenario_choices.c
    firsts, again_at = _choices_made(conn, scenario_choices, made, scenarios)
    if not again_at:
        return firsts
    at = [sa.tuple_(sc.scenario_id, sc.node_id).in_(sorted(again_at))] if len(again_at) <= _NODES else []
    key = (sc.scenario_id, sc.node_id, sc.learner_id)
    again = sa.select(*key).where(*made, *at).group_by(*key).having(sa.func.count() > 1).subquery("again")
    repeated = sa.and_(*(column == again.c[column.name] for column in key))
    ranked = _ranked([*made, *at]).join(again, repeated).subquery("ranked")
    r = ranked.c
    later = (
        sa.select(r.scenario_id, r.node_id, r.action_id, sa.func.count())
        .where(r.rn > 1)
        .group_by(r.scenario_id, r.node_id, r.action_id)
    )
    for s, n, a, count in conn.execute(later):
        total, rating = firsts[(s, n, a)]
        firsts[(s, n, a)] = (total - count, rating)
    return {key: value for key, value in firsts.items() if value[0] > 0}


_NODES = 50
"""At most this many nodes are named in a query (beyond, every node is read)."""


def _choices_made(
    conn: Connection,
    source: sa.Table | sa.Subquery,
    made: Sequence[sa.ColumnElement[bool]],
    scenarios: Sequence[Scenario],
    *,
    again: bool = True,
) -> tuple[FirstChoices, set[tuple[str, str]]]:
    """(scenario, node, action) → (choices of ``source`` made, a recorded rating); and with
    ``again``, the (scenario, node) where some learner chose more than once (fewer learners than
    choices; ``source`` then has ``learner_id``).

    Counted per node (the index's order, no sort) in one column per action ID of the content;
    the nodes where other actions were recorded (since removed or moved) are counted again per
    action, with their recorded rating.
    """
    sc = source.c
    known = {
        (s.id, node.id): {a.id: str(a.rating) for a in node.actions} for s in scenarios for node in s.nodes
    }
    ids = sorted({action_id for actions in known.values() for action_id in actions})
    per_id = [sa.func.sum(sa.case((sc.action_id == action_id, 1), else_=0)) for action_id in ids]
    counts: FirstChoices = {}
    odd = []
    again_at = set()
    learners = sa.func.count(sa.distinct(sc.learner_id)) if again else sa.func.count()
    for s, n, total, chose, *tally in conn.execute(
        sa.select(sc.scenario_id, sc.node_id, sa.func.count(), learners, *per_id)
        .where(*made)
        .group_by(sc.scenario_id, sc.node_id)
    ):
        if chose < total:
            again_at.add((s, n))
        actions = known.get((s, n), {})
        mine = {a: int(count) for a, count in zip(ids, tally, strict=True) if count}
        if sum(mine.values()) != total or not mine.keys() <= actions.keys():
            odd.append((s, n))
            continue
        counts.update({(s, n, a): (count, actions[a]) for a, count in mine.items()})
    if odd:
        counts.update(
            ((s, n, a), (count, rating))
            for s, n, a, count, rating in conn.execute(
                sa.select(sc.scenario_id, sc.node_id, sc.action_id, sa.func.count(), sa.func.max(sc.rating))
                .where(*made, sa.tuple_(sc.scenario_id, sc.node_id).in_(odd))
                .group_by(sc.scenario_id, sc.node_id, sc.action_id)
            )
        )
    return counts, again_at


def _firsts_distinct(made: Sequence[sa.ColumnElement[bool]]) -> sa.Subquery:
    """Each learner's first choice at a node, by ``DISTINCT ON`` (PostgreSQL), in node order:
    about half the time of a ``ROW_NUMBER()`` window there."""
    sc = scenario_choices.c
    key = (sc.scenario_id, sc.node_id, sc.learner_id)
    return (
        _distinct_on(sa.select(sc.scenario_id, sc.node_id, sc.action_id, sc.rating).where(*made), *key)
        .order_by(*key, sc.chosen_at, sc.id)
        .subquery("firsts")
    )


def _distinct_on(
    query: sa.Select[*tuple[Any, ...]], *columns: sa.ColumnElement[Any]
) -> sa.Select[*tuple[Any, ...]]:
    """``query`` with ``DISTINCT ON (columns)`` (PostgreSQL only), as SQLAlchemy 2.1 or 2.0 spells it."""
    try:
        from sqlalchemy.dialects.postgresql import distinct_on
    except ImportError:  # SQLAlchemy 2.0
        return query.distinct(*columns)
    return query.ext(distinct_on(*columns))


def _ranked(made: Sequence[sa.ColumnElement[bool]]) -> sa.Select[*tuple[Any, ...]]:
    """The choices with ``rn``: their order among the learner's choices at the node (1 = first)."""
    sc = scenario_choices.c
    rn = sa.func.row_number().over(
        partition_by=(sc.scenario_id, sc.node_id, sc.learner_id), order_by=(sc.chosen_at, sc.id)
    )
    return sa.select(sc.scenario_id, sc.node_id, sc.action_id, sc.rating, rn.label("rn")).where(*made)
