"""Scenario analysis: at each decision, the share of learners who chose each action.

A learner counts once per decision node: their first choice there (earliest in time, over
all their runs), which is what they would do before the feedback taught them otherwise.
Counted in the database (SQLAlchemy Core, SQLite and PostgreSQL): one row per node action
leaves it.
"""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from widgets.content.model import Scenario
from widgets.records.schema import scenario_choices
from widgets.records.statistics.filters import Filters, distinct_on, in_time, learner_ids, of_chosen

RATINGS = ("best", "acceptable", "violation")


@dc.dataclass(frozen=True, slots=True)
class ActionShare:
    action_id: str
    text: str
    rating: str
    count: int
    share: float | None


@dc.dataclass(frozen=True, slots=True)
class NodeStat:
    scenario_id: str
    scenario_title: str
    node_id: str
    text: str
    reached: int
    """Learners who made a choice at this node."""
    actions: tuple[ActionShare, ...]

    def share_by_rating(self) -> dict[str, float | None]:
        """Rating → share of learners whose first choice had that rating."""
        out: dict[str, float | None] = {}
        for rating in RATINGS:
            count = sum(a.count for a in self.actions if a.rating == rating)
            out[rating] = count / self.reached if self.reached else None
        return out


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
        distinct_on(sa.select(sc.scenario_id, sc.node_id, sc.action_id, sc.rating).where(*made), *key)
        .order_by(*key, sc.chosen_at, sc.id)
        .subquery("firsts")
    )


def _ranked(made: Sequence[sa.ColumnElement[bool]]) -> sa.Select[*tuple[Any, ...]]:
    """The choices with ``rn``: their order among the learner's choices at the node (1 = first)."""
    sc = scenario_choices.c
    rn = sa.func.row_number().over(
        partition_by=(sc.scenario_id, sc.node_id, sc.learner_id), order_by=(sc.chosen_at, sc.id)
    )
    return sa.select(sc.scenario_id, sc.node_id, sc.action_id, sc.rating, rn.label("rn")).where(*made)


def node_stats(
    tally: Mapping[tuple[str, str, str], tuple[int, str]], scenarios: Sequence[Scenario]
) -> list[NodeStat]:
    """The node statistics from (scenario, node, action) → (first choices, recorded rating)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for (scenario_id, node_id, action_id), (count, _) in tally.items():
        counts.setdefault((scenario_id, node_id), {})[action_id] = count
    result = []
    for scenario in scenarios:
        for node in scenario.nodes:
            if node.is_end:
                continue
            per_action = counts.get((scenario.id, node.id), {})
            reached = sum(per_action.values())
            shares = [
                ActionShare(
                    action.id,
                    action.text,
                    str(action.rating),
                    per_action.get(action.id, 0),
                    per_action.get(action.id, 0) / reached if reached else None,
                )
                for action in node.actions
            ]
            known = {action.id for action in node.actions}
            shares += [
                ActionShare(
                    action_id, action_id, tally[(scenario.id, node.id, action_id)][1], count, count / reached
                )
                for action_id, count in sorted(per_action.items())
                if action_id not in known
            ]
            result.append(NodeStat(scenario.id, scenario.title, node.id, node.text, reached, tuple(shares)))
    return result
