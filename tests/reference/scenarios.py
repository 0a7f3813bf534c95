"""Each learner's first choice per decision node over every loaded choice (the reference for
:func:`widgets.records.statistics.scenarios.scenario_analysis`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from widgets.content.model import Scenario
from widgets.records.models import StoredChoice
from widgets.records.statistics.scenarios import NodeStat, node_stats


def first_choices(choices: Iterable[StoredChoice]) -> dict[tuple[str, str, str], StoredChoice]:
    """(scenario, node, learner) → the learner's earliest choice at that node."""
    first: dict[tuple[str, str, str], StoredChoice] = {}
    for row in choices:
        key = (row.scenario_id, row.node_id, row.learner_id)
        held = first.get(key)
        if held is None or (row.chosen_at, row.id) < (held.chosen_at, held.id):
            first[key] = row
    return first


def scenario_analysis(choices: Iterable[StoredChoice], scenarios: Sequence[Scenario]) -> list[NodeStat]:
    """One :class:`NodeStat` per decision node of ``scenarios``, in content order.

    Actions no longer in the content (recorded under an older version) are listed after the
    current ones, with their recorded rating.
    """
    tally: dict[tuple[str, str, str], tuple[int, str]] = {}
    for (scenario_id, node_id, _), row in first_choices(choices).items():
        key = (scenario_id, node_id, row.action_id)
        tally[key] = (tally.get(key, (0, ""))[0] + 1, row.rating)
    return node_stats(tally, scenarios)
