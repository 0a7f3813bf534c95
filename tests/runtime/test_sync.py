"""The ipywidgets internals the input barrier (``widgets/runtime/sync.py``) relies on.

``FrontEndBarrier.watch`` counts the browser's state updates of the answer's inputs by putting
its own handler in front of the one ipywidgets registered when the widget's comm opened,
the private ``Widget._handle_msg``; the barrier's ``ping``/``pong`` pair is a ``jsdlink``
(copied in the browser). Each test names what it checks and fails with the version that no
longer has it.
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

import ipywidgets as w

from widgets.runtime.sync import FrontEndBarrier


def gone(package: str, what: str) -> str:
    return (
        f"{package} {version(package)} no longer has {what}, which the input barrier "
        "(widgets/runtime/sync.py) relies on: adapt the shim before raising the upper pin in pyproject.toml"
    )


def update(**state: Any) -> dict[str, Any]:
    """A state update from the browser, as a widget's comm receives it (Jupyter widgets' message
    protocol 2: ``content.data.method == "update"``)."""
    return {"content": {"data": {"method": "update", "state": state}}, "buffers": []}


def test_a_widgets_comm_hands_its_messages_to_widget_handle_msg() -> None:
    """``ipywidgets.Widget._handle_msg`` exists and is the one callback the comm calls
    (registered with ``comm.on_msg`` when the comm opens; comm's ``_msg_callback``)."""
    assert callable(getattr(w.Widget, "_handle_msg", None)), gone("ipywidgets", "Widget._handle_msg")
    widget = w.IntText(value=0)
    assert widget.comm is not None, gone("ipywidgets", "a comm opened with every widget")
    assert getattr(widget.comm, "_msg_callback", None) == widget._handle_msg, gone(
        "ipywidgets", "Widget._handle_msg as the callback its comm calls (comm._msg_callback)"
    )
    widget.comm.handle_msg(update(value=3))
    assert widget.value == 3, gone("ipywidgets", "Widget._handle_msg applying an 'update' message's state")


def test_the_barrier_counts_updates_in_front_of_ipywidgets_handler() -> None:
    """``comm.on_msg`` replaces the comm's one callback: after ``watch`` every update goes
    through the barrier's counter, then to ``Widget._handle_msg`` (once)."""
    widget = w.IntText(value=0)
    changes: list[int] = []
    widget.observe(lambda change: changes.append(change["new"]), "value")
    barrier = FrontEndBarrier()
    watched = barrier.watch([widget])
    assert getattr(widget.comm, "_msg_callback", None) != widget._handle_msg, gone(
        "comm", "Comm.on_msg replacing the callback (comm._msg_callback)"
    )
    widget.comm.handle_msg(update(value=5))
    widget.comm.handle_msg(update(value=6))
    assert watched.last_update == 2
    assert changes == [5, 6]
    widget.comm.handle_msg({"content": {"data": {"method": "request_state"}}, "buffers": []})
    assert watched.last_update == 2  # only updates are counted


def test_the_ping_pong_pair_is_a_browser_side_link() -> None:
    """``ipywidgets.jsdlink`` (a widget whose ``DirectionalLinkModel`` runs in the browser)
    copies ``ping`` to ``pong``; the kernel sees ``pong`` only when the browser sends it back."""
    barrier = FrontEndBarrier()
    assert isinstance(barrier.link, w.Widget), gone("ipywidgets", "jsdlink returning a widget")
    assert barrier.link._model_name == "DirectionalLinkModel", gone(
        "ipywidgets", "jsdlink as a browser-side DirectionalLinkModel"
    )
    assert barrier.link.source == (barrier.ping, "value")
    assert barrier.link.target == (barrier.pong, "value")
    assert not barrier.connected  # nothing copies it in the kernel
