"""Reading the widget trees of the reference pages from Python."""

from __future__ import annotations

import ipywidgets as w


def widget_tree(root: w.Widget) -> list[w.Widget]:
    """The root and every widget reachable through ``children``."""
    found: list[w.Widget] = []
    stack = [root]
    while stack:
        widget = stack.pop()
        found.append(widget)
        stack.extend(getattr(widget, "children", ()) or ())
    return found


def with_class(root: w.Widget, name: str) -> list[w.Widget]:
    return [widget for widget in widget_tree(root) if name in widget._dom_classes]


def html_of(root: w.Widget) -> str:
    return " ".join(str(widget.value) for widget in widget_tree(root) if isinstance(widget, w.HTML))
