"""Walking a scenario graph: choose an action, get its step, score the path."""

from __future__ import annotations

import random

from widgets.content.model import RATING_POINTS, Action, Node, Scenario
from widgets.engine.draw import neutral_order, shuffled
from widgets.engine.results import ScenarioResult, ScenarioStep


class InvalidChoiceError(ValueError):
    """The action is not offered at the current node (or the path has ended)."""


def current_node(scenario: Scenario, steps: tuple[ScenarioStep, ...]) -> Node:
    """The node the learner stands at after ``steps``."""
    return scenario.node(steps[-1].next_node_id if steps else scenario.start)


def action_order(node: Node, seed: int | str) -> tuple[str, ...]:
    """IDs of a node's actions in display order: shuffled, seeded, from an order that does not
    depend on the ratings (authors tend to write the best action first)."""
    return shuffled(neutral_order(node.actions), random.Random(f"{seed}:{node.id}"))


def choose(
    scenario: Scenario, steps: tuple[ScenarioStep, ...], action_id: str
) -> tuple[ScenarioStep, Action]:
    """Take ``action_id`` at the current node; returns the new step and the action taken."""
    node = current_node(scenario, steps)
    for action in node.actions:
        if action.id == action_id:
            return ScenarioStep(node.id, action.id, action.rating, action.next), action
    raise InvalidChoiceError(f"action {action_id!r} is not offered at node {node.id!r}")


def path_result(scenario: Scenario, steps: tuple[ScenarioStep, ...]) -> ScenarioResult:
    """Score a path: each decision earns its rating's points out of the best rating's."""
    best = max(RATING_POINTS.values())
    node = current_node(scenario, steps)
    return ScenarioResult(
        scenario_id=scenario.id,
        steps=steps,
        end_node_id=node.id if node.is_end else None,
        score=sum(RATING_POINTS[step.rating] for step in steps),
        max_score=best * len(steps),
    )
