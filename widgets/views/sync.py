"""Acting on a button only once the browser has sent the kernel every answer it holds back.

Jupyter Widgets throttles each widget model in the browser: while one state update of a model
awaits the kernel's reply, later updates of that model are merged and held, and sent when the
reply comes. A button press is not a state update and is sent at once. So a learner who types
an answer, or moves through a dropdown or a radio group with the arrow keys, then presses
Enter on "Kiểm tra" while the kernel is busy, had the press overtake the rest of the answer:
the kernel graded what it had, not what the learner saw.

``FrontEndBarrier.then`` closes that gap with stock widgets. It sets ``ping`` in the kernel; a
browser-side ``jsdlink`` copies it to ``pong``, which the browser sends back. The kernel's idle
reply that releases a held update is published before anything the press's handler sends, and
the browser sends the released update as soon as it reads that reply, so by the time ``pong``
comes back every update held at the moment of the press has reached the kernel before it.

Without a browser (tests, nbval) nothing ever answers: until the first ``pong`` arrives the
barrier counts as not connected and runs callbacks at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w


class FrontEndBarrier:
    """Runs callbacks after a round trip through the browser (at once when none is connected)."""

    def __init__(self) -> None:
        self.ping = w.IntText(value=0)
        self.pong = w.IntText(value=0)
        self.link = w.jsdlink((self.ping, "value"), (self.pong, "value"))
        self.pong.observe(self._arrived, "value")
        self._waiting: dict[int, Callable[[], Any]] = {}
        self.connected = False
        self.ping.value = 1  # the browser copies it back as soon as it has the link: connected

    def then(self, callback: Callable[[], Any]) -> None:
        """Call ``callback`` once everything the browser held before now has reached the kernel."""
        if not self.connected:
            callback()
            return
        number = self.ping.value + 1
        self._waiting[number] = callback
        self.ping.value = number

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    def _arrived(self, change: dict[str, Any]) -> None:
        self.connected = True
        for number in sorted(n for n in self._waiting if n <= change["new"]):
            self._waiting.pop(number)()


_shared: FrontEndBarrier | None = None


def shared_barrier() -> FrontEndBarrier:
    """One barrier per kernel (each page is its own kernel)."""
    global _shared
    if _shared is None:
        _shared = FrontEndBarrier()
    return _shared


def when_synced(callback: Callable[[], Any], barrier: FrontEndBarrier | None = None) -> Callable[[Any], None]:
    """An ``on_click`` handler that runs ``callback`` once the browser has sent every change it
    held back before the press (a name typed just before "Vào học"); presses made while one
    is waiting are ignored."""
    pending = False

    def run() -> None:
        nonlocal pending
        pending = False
        callback()

    def pressed(_button: Any) -> None:
        nonlocal pending
        if not pending:
            pending = True
            (barrier or shared_barrier()).then(run)

    return pressed
