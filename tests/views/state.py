"""Reading what a widget tree would send to the browser."""

from __future__ import annotations

import json
import re

import ipywidgets as w


def widget_tree(root: w.Widget) -> list[w.Widget]:
    """The root and every widget reachable through ``children``."""
    found: list[w.Widget] = []
    stack = [root]
    while stack:
        widget = stack.pop()
        found.append(widget)
        stack.extend(getattr(widget, "children", ()) or ())
        for trait in ("layout", "style"):
            if isinstance(getattr(widget, trait, None), w.Widget):
                found.append(getattr(widget, trait))
    return found


def synced_state(root: w.Widget) -> str:
    """Every synced trait of the tree, as one JSON text with model IDs blanked out."""
    states = [widget.get_state() for widget in widget_tree(root)]
    text = json.dumps(states, ensure_ascii=False, sort_keys=True, default=str)
    return re.sub(r"IPY_MODEL_[0-9a-f]+", "IPY_MODEL", text)


def visible_html(root: w.Widget) -> str:
    return " ".join(
        str(getattr(widget, "value", "")) for widget in widget_tree(root) if isinstance(widget, w.HTML)
    )
