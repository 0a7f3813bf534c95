"""Scenario analysis: at each decision, the share of learners who chose each action.

A learner counts once per decision node: their first choice there (earliest in time, over
all their runs), which is what they would do before the feedback taught them otherwise.
"""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Iterable, Mapping, Sequence

from widgets.content.model import Scenario
from widgets.reports.queries import ChoiceRow

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


def first_choices(choices: Iterable[ChoiceRow]) -> dict[tuple[str, str, str], ChoiceRow]:
    """(scenario, node, learner) → the learner's earliest choice at that node."""
    first: dict[tuple[str, str, str], ChoiceRow] = {}
    for row in choices:
        key = (row.scenario_id, row.node_id, row.learner_id)
        held = first.get(key)
        if held is None or (row.chosen_at, row.id) < (held.chosen_at, held.id):
            first[key] = row
    return first


def scenario_analysis(choices: Iterable[ChoiceRow], scenarios: Sequence[Scenario]) -> list[NodeStat]:
    """One :class:`NodeStat` per decision node of ``scenarios``, in content order.

    Actions no longer in the content (recorded under an older version) are listed after the
    current ones, with their recorded rating.
    """
    tally: dict[tuple[str, str, str], tuple[int, str]] = {}
    for (scenario_id, node_id, _), row in first_choices(choices).items():
        key = (scenario_id, node_id, row.action_id)
        tally[key] = (tally.get(key, (0, ""))[0] + 1, row.rating)
    return node_stats(tally, scenarios)


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
