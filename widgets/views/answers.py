"""Answer inputs, one per question type: stock widgets that hold only labels and positions.

An input knows the option IDs in display order (kept in Python, never synced) and turns the
widget state into a ``Response`` for the engine. Nothing here knows which answer is right.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from widgets.content.markdown import plain_text
from widgets.content.model import Question, QuestionType
from widgets.engine.results import Response
from widgets.i18n import t


class AnswerInput:
    """Base: a widget, a response (``None`` while nothing is answered), enable/disable."""

    widget: w.Widget

    def response(self) -> Response | None:
        raise NotImplementedError

    def controls(self) -> list[w.Widget]:
        """The widgets the learner operates (the leaves of ``widget``)."""
        return _leaves(self.widget)

    def set_disabled(self, disabled: bool) -> None:
        for child in self.controls():
            if hasattr(child, "disabled"):
                child.disabled = disabled


class ChoiceInput(AnswerInput):
    """Single choice and true/false: radio buttons."""

    def __init__(self, labels: dict[str, str], order: tuple[str, ...]) -> None:
        self.ids = order
        self.widget = w.RadioButtons(
            options=[labels[i] for i in order], index=None, layout=w.Layout(width="auto")
        )
        self.widget.add_class("nk-choices")

    def response(self) -> Response | None:
        index = self.widget.index
        return None if index is None else self.ids[index]


class ManyInput(AnswerInput):
    """Multiple choice: one checkbox per option."""

    def __init__(self, labels: dict[str, str], order: tuple[str, ...]) -> None:
        self.ids = order
        self.boxes = [w.Checkbox(value=False, description=labels[i], indent=False) for i in order]
        self.widget = w.VBox(self.boxes)
        self.widget.add_class("nk-choices")

    def response(self) -> Response | None:
        picked = tuple(sorted(i for i, box in zip(self.ids, self.boxes, strict=True) if box.value))
        return picked or None


class MatchInput(AnswerInput):
    """Matching: a dropdown of categories beside each item."""

    def __init__(self, question: Question, order: tuple[str, ...]) -> None:
        pairs = {pair.id: pair for pair in question.pairs}
        self.ids = order
        placeholder = t("quiz.category_placeholder")
        self.categories = tuple(sorted(question.categories))  # authored order would hint at the key
        rows = []
        self.dropdowns = []
        for pair_id in order:
            text = plain_text(pairs[pair_id].item)
            item = w.Label(text)
            item.add_class("nk-match-item")
            # The description is the select's <label for=…> (visually hidden by the site's CSS):
            # the dropdown's accessible name says which item it files.
            box = w.Dropdown(
                options=[placeholder, *self.categories],
                index=0,
                description=t("quiz.match_label", item=text),
                layout=w.Layout(width="auto"),
            )
            box.add_class("nk-match-category")
            self.dropdowns.append(box)
            rows.append(w.HBox([item, box], layout=w.Layout(flex_flow="row wrap")))
        self.widget = w.VBox(rows)
        self.widget.add_class("nk-matching")

    def response(self) -> Response | None:
        chosen = [
            (pair_id, self.categories[box.index - 1])
            for pair_id, box in zip(self.ids, self.dropdowns, strict=True)
            if box.index
        ]
        return tuple(sorted(chosen)) if len(chosen) == len(self.ids) else None


class OrderInput(AnswerInput):
    """Ordering: items with "Lên"/"Xuống" buttons; the order lives in Python.

    The rows stay; a move rewrites their labels and names and gives the focus to the button
    that follows the moved item, so a keyboard user can press Enter again to move it further.
    """

    def __init__(self, labels: dict[str, str], order: tuple[str, ...]) -> None:
        self.labels = labels
        self.order = list(order)
        self.rows: list[tuple[w.Button, w.Button, w.Label]] = []

        def mover(position: int, offset: int) -> Callable[[w.Button], None]:
            return lambda _: self.move(position, offset)

        for position in range(len(order)):
            up = _move_button("nk-move-up", mover(position, -1))
            down = _move_button("nk-move-down", mover(position, 1))
            label = w.Label()
            label.add_class("nk-order-item")
            self.rows.append((up, down, label))
        self.widget = w.VBox([w.HBox(list(row)) for row in self.rows])
        self.widget.add_class("nk-ordering")
        self._draw()

    def move(self, position: int, offset: int) -> None:
        target = position + offset
        if 0 <= target < len(self.order):
            self.order[position], self.order[target] = self.order[target], self.order[position]
            self._draw()
            up, down = self.rows[target][:2]
            same, other = (up, down) if offset < 0 else (down, up)
            (other if same.disabled else same).focus()

    def _draw(self) -> None:
        last = len(self.order) - 1
        for position, (item_id, (up, down, label)) in enumerate(zip(self.order, self.rows, strict=True)):
            text = self.labels[item_id]
            # No text in the button (the arrow is drawn by CSS): its title is its accessible name.
            up.tooltip = t("quiz.move_up", item=text)
            down.tooltip = t("quiz.move_down", item=text)
            up.disabled, down.disabled = position == 0, position == last
            label.value = f"{position + 1}. {text}"

    def response(self) -> Response | None:
        return tuple(self.order)


class TextInput(AnswerInput):
    """Short answer: a text box."""

    def __init__(self) -> None:
        self.widget = w.Text(placeholder=t("quiz.type_answer"), layout=w.Layout(width="100%"))
        self.widget.add_class("nk-text-answer")

    def response(self) -> Response | None:
        text = self.widget.value
        return text if text.strip() else None


def answer_input(question: Question, order: tuple[str, ...]) -> AnswerInput:
    """The input for ``question`` with its options in display ``order``."""
    labels = {item.id: plain_text(item.text) for item in (*question.choices, *question.order)}
    if question.type in {QuestionType.SINGLE, QuestionType.TRUE_FALSE}:
        return ChoiceInput(labels, order)
    if question.type is QuestionType.MULTIPLE:
        return ManyInput(labels, order)
    if question.type is QuestionType.MATCHING:
        return MatchInput(question, order)
    if question.type is QuestionType.ORDERING:
        return OrderInput(labels, order)
    return TextInput()


def _move_button(kind: str, handler: Callable[[w.Button], None]) -> w.Button:
    button = w.Button(description="", layout=w.Layout(width="auto"))
    button.add_class("nk-move")
    button.add_class(kind)  # nk-move-up / nk-move-down: the site's CSS draws ↑ / ↓
    button.on_click(handler)
    return button


def _leaves(widget: w.Widget) -> list[w.Widget]:
    children = getattr(widget, "children", None)
    if not children:
        return [widget]
    return [leaf for child in children for leaf in _leaves(child)]
