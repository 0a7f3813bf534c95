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

    def set_disabled(self, disabled: bool) -> None:
        for child in _leaves(self.widget):
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
        self.dropdowns = [
            w.Dropdown(options=[placeholder, *self.categories], index=0, layout=w.Layout(width="auto"))
            for _ in order
        ]
        rows = []
        for pair_id, box in zip(order, self.dropdowns, strict=True):
            item = w.Label(plain_text(pairs[pair_id].item))
            item.add_class("nk-match-item")
            box.add_class("nk-match-category")
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
    """Ordering: items with "Lên"/"Xuống" buttons; the order lives in Python."""

    def __init__(self, labels: dict[str, str], order: tuple[str, ...]) -> None:
        self.labels = labels
        self.order = list(order)
        self.widget = w.VBox()
        self.widget.add_class("nk-ordering")
        self._draw()

    def move(self, position: int, offset: int) -> None:
        target = position + offset
        if 0 <= target < len(self.order):
            self.order[position], self.order[target] = self.order[target], self.order[position]
            self._draw()

    def _draw(self) -> None:
        rows = []
        for position, item_id in enumerate(self.order):
            up = _small_button(t("quiz.move_up"), "↑", lambda _, p=position: self.move(p, -1))
            down = _small_button(t("quiz.move_down"), "↓", lambda _, p=position: self.move(p, 1))
            up.disabled, down.disabled = position == 0, position == len(self.order) - 1
            label = w.Label(f"{position + 1}. {self.labels[item_id]}")
            label.add_class("nk-order-item")
            rows.append(w.HBox([up, down, label]))
        self.widget.children = rows

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


def _small_button(tooltip: str, icon_text: str, handler: Callable[[w.Button], None]) -> w.Button:
    button = w.Button(description=icon_text, tooltip=tooltip, layout=w.Layout(width="auto"))
    button.add_class("nk-move")
    button.on_click(handler)
    return button


def _leaves(widget: w.Widget) -> list[w.Widget]:
    children = getattr(widget, "children", None)
    if not children:
        return [widget]
    return [leaf for child in children for leaf in _leaves(child)]
