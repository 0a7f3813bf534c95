"""A branching scenario: the situation, 2–4 action buttons, the outcome, then the next node."""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w

from widgets.content.markdown import plain_text
from widgets.content.model import Action, Directive, Scenario
from widgets.content.scenarios import MAX_IMAGE_BYTES
from widgets.engine.results import ScenarioResult, ScenarioStep
from widgets.engine.scenario import action_order, choose, current_node, path_result
from widgets.i18n import t
from widgets.render.fragments import render

log = logging.getLogger(__name__)

IMAGE_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}

StepCallback = Callable[[ScenarioStep, ScenarioResult], None]


class ScenarioView(w.VBox):
    """Plays a scenario; ratings and next nodes stay in the kernel until an action is chosen."""

    def __init__(
        self,
        scenario: Scenario,
        directive: Directive,
        steps: tuple[ScenarioStep, ...] = (),
        *,
        seed: int | str = 0,
    ) -> None:
        super().__init__()
        self.scenario = scenario
        self.directive = directive
        self.steps = steps
        self.seed = seed
        """Orders each node's actions (per learner); the order never follows the ratings."""
        self._order: tuple[str, ...] = ()
        self._callbacks: list[StepCallback] = []
        self.add_class("nk-scenario")
        self._show_node()

    def on_step(self, callback: StepCallback) -> None:
        """Call ``callback(step, result_so_far)`` after every choice (to save it)."""
        self._callbacks.append(callback)

    @property
    def choice_buttons(self) -> list[w.Button]:
        return [c for c in self._buttons if isinstance(c, w.Button)]

    def pick(self, position: int) -> None:
        """Choose the action shown at ``position`` (what clicking its button does)."""
        step, action = choose(self.scenario, self.steps, self._order[position])
        self.steps = (*self.steps, step)
        result = path_result(self.scenario, self.steps)
        for callback in list(self._callbacks):
            callback(step, result)
        self._show_outcome(action, position)

    def restart(self) -> None:
        self.steps = ()
        self._show_node()

    def _show_node(self) -> None:
        node = current_node(self.scenario, self.steps)
        image = image_uri(node.image) if node.image else ""
        text = w.HTML(
            render("scenario_node", scenario=self.scenario, node=node, first=not self.steps, image=image)
        )
        self._buttons: list[w.Widget] = []
        self._order = action_order(node, self.seed)
        actions = {action.id: action for action in node.actions}
        for position, action in enumerate(actions[i] for i in self._order):
            button = w.Button(
                description=plain_text(action.text), layout=w.Layout(width="100%", height="auto")
            )
            button.add_class("nk-scenario-choice")
            button.on_click(lambda _, p=position: self.pick(p))
            self._buttons.append(button)
        parts: list[w.Widget] = [text, *self._buttons]
        if node.is_end:
            parts.append(self._end_summary())
        self.children = parts

    def _show_outcome(self, action: Action, position: int) -> None:
        for index, button in enumerate(self.choice_buttons):
            button.disabled = True
            if index == position:
                button.add_class("nk-picked")  # which one the learner picked stays visible
        outcome = w.HTML(render("outcome", action=action))
        outcome.add_class("nk-outcome")
        outcome.add_class(f"nk-{action.rating.value}")
        citation = w.HTML(
            render(
                "citation",
                clauses=[self.directive.clause(c) for c in action.cites],
                directive=self.directive,
            )
        )
        citation.add_class("nk-citation")
        proceed = w.Button(description=t("scenario.continue"), button_style="primary")
        proceed.add_class("nk-next")
        proceed.on_click(lambda _: self._show_node())
        self.children = [*self.children, outcome, citation, proceed]

    def _end_summary(self) -> w.Widget:
        result = path_result(self.scenario, self.steps)
        actions = {(n.id, a.id): a for n in self.scenario.nodes for a in n.actions}
        path = [(step, actions[(step.node_id, step.action_id)]) for step in self.steps]
        summary = w.HTML(render("scenario_end", result=result, path=path))
        summary.add_class("nk-scenario-end")
        again = w.Button(description=t("scenario.restart"))
        again.add_class("nk-restart")
        again.on_click(lambda _: self.restart())
        return w.VBox([summary, again])


@functools.lru_cache(maxsize=32)
def image_uri(path: str) -> str:
    """A node's picture as a ``data:`` URI: it travels inside the page, so it shows offline and
    within the site's CSP (img-src 'self' data: blob:). ``""`` (no picture, the text stays) if
    the file has gone or grown past the limit since ``neuguong check``."""
    file = Path(path)
    mime = IMAGE_MIME.get(file.suffix.lower())
    try:
        data = file.read_bytes() if mime else b""
    except OSError as error:
        log.warning("scenario image not shown: %s", error)
        return ""
    if not data or len(data) > MAX_IMAGE_BYTES:
        log.warning("scenario image not shown: %s (type or size)", path)
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
