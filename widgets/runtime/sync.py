"""Acting on a button only once the browser has sent the kernel every answer it holds back.

Jupyter Widgets throttles each widget model in the browser: while one state update of a model
awaits the kernel's reply, later updates of that model are merged and held, and sent when the
reply comes. A button press is not a state update and is sent at once. So a learner who types
an answer, or moves through a dropdown or a radio group with the arrow keys, then presses
Enter on "Kiểm tra" while the kernel is busy, had the press overtake the rest of the answer:
the kernel graded what it had, not what the learner saw.

``FrontEndBarrier`` closes that gap with stock widgets. Sending a ``ping`` value from the
kernel, a browser-side ``jsdlink`` copies it to ``pong``, which the browser sends back. The
kernel publishes its idle reply to each message before it handles the next one, and the
browser sends a held update as soon as it reads that reply. So a ``pong`` whose ``ping`` was
sent while the kernel handled a later message comes back behind every update the browser had
held when that earlier message's reply went out.

Two uses:

- ``then(callback)`` sends a ``ping`` from the press's own handler and calls back on its
  ``pong``: everything held at the moment of the press has arrived (one browser round trip).
- ``watch(widgets)`` flushes the inputs' updates in the background, while the learner is still
  reading: each update from the browser starts a ``ping`` if none is out; the ``pong`` handler
  (a later message) sends another ``ping`` that covers every update counted so far. When the
  press comes and every update of its inputs is covered, ``then(callback, watched)`` calls back
  at once; otherwise it waits for a round trip as above. A covered update can have nothing
  held behind it: its idle reply went out before the covering ``ping``, the browser read both
  before sending that ``pong``, and the press arrived after the ``pong``.

Without a browser (tests, nbval) nothing ever answers: until the first ``pong`` arrives the
barrier counts as not connected and runs callbacks at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import ipywidgets as w


@dataclass
class Watched:
    """A group of inputs whose browser updates a barrier counts (see ``FrontEndBarrier.watch``)."""

    last_update: int = 0
    """The barrier's update count at the latest update of these inputs from the browser."""


class FrontEndBarrier:
    """Runs callbacks after a round trip through the browser (at once when none is connected,
    or when every update of the watched inputs is already known to have arrived)."""

    def __init__(self) -> None:
        self.ping = w.IntText(value=0)
        self.pong = w.IntText(value=0)
        self.link = w.jsdlink((self.ping, "value"), (self.pong, "value"))
        self.pong.observe(self._arrived, "value")
        self._waiting: dict[int, Callable[[], object]] = {}
        self._covers: dict[int, int] = {}  # ping number → updates counted when it was sent
        self._updates = 0  # state updates of watched inputs received from the browser
        self._flushed = 0  # of those, the ones nothing held back can still follow
        self._answered = 0  # the highest pong received
        self._send(covers=0)  # the browser copies it back as soon as it has the link: connected

    def then(self, callback: Callable[[], object], watched: Watched | None = None) -> None:
        """Call ``callback`` once everything the browser held before now has reached the kernel
        (at once if ``watched`` inputs are all the press depends on and all are flushed)."""
        if not self.connected or (watched is not None and watched.last_update <= self._flushed):
            callback()
            return
        self._waiting[self._send(covers=self._updates)] = callback

    def watch(self, widgets: Iterable[w.Widget]) -> Watched:
        """Count the browser's state updates of ``widgets`` and flush them in the background."""
        watched = Watched()
        for widget in widgets:
            if widget.comm is not None:  # in front of the handler ipywidgets registered at open()
                widget.comm.on_msg(self._counting(watched, widget._handle_msg))
        return watched

    @property
    def connected(self) -> bool:
        """Whether a browser has answered a ``ping`` yet (none does in tests and nbval)."""
        return self._answered > 0

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    @property
    def in_flight(self) -> bool:
        """Whether a ``ping`` is out that the browser has not answered yet."""
        sent: int = self.ping.value  # a traitlets Int: Any to mypy
        return sent > self._answered

    def _counting(
        self,
        watched: Watched,
        handle: Callable[[dict[str, Any]], None],  # Any: a Jupyter comm message
    ) -> Callable[[dict[str, Any]], None]:
        def received(message: dict[str, Any]) -> None:
            if message["content"]["data"].get("method") == "update":
                self._updates += 1
                watched.last_update = self._updates
                if self.connected and not self.in_flight:
                    # Sent while this update is handled, before its idle reply: it covers
                    # nothing new, but its pong is a later message, whose handler can.
                    self._send(covers=self._flushed)
            handle(message)

        return received

    def _send(self, covers: int) -> int:
        number: int = self.ping.value + 1  # a traitlets Int: Any to mypy
        self._covers[number] = covers
        self.ping.value = number
        return number

    def _arrived(self, change: dict[str, Any]) -> None:  # Any: a traitlets change
        answered = change["new"]
        self._answered = max(self._answered, answered)
        for number in sorted(n for n in self._covers if n <= answered):
            self._flushed = max(self._flushed, self._covers.pop(number))
        for number in sorted(n for n in self._waiting if n <= answered):
            self._waiting.pop(number)()
        if self._updates > self._flushed and not self.in_flight:
            self._send(covers=self._updates)  # handled after every counted update: covers them


_shared: FrontEndBarrier | None = None


def shared_barrier() -> FrontEndBarrier:
    """One barrier per kernel (each page is its own kernel)."""
    global _shared
    if _shared is None:
        _shared = FrontEndBarrier()
    return _shared


def when_synced(
    callback: Callable[[], object], barrier: FrontEndBarrier | None = None
) -> Callable[[object], None]:
    """An ``on_click`` handler that runs ``callback`` once the browser has sent every change it
    held back before the press (a name typed just before "Vào học"); presses made while one
    is waiting are ignored."""
    pending = False

    def run() -> None:
        nonlocal pending
        pending = False
        callback()

    def pressed(_button: object) -> None:
        nonlocal pending
        if not pending:
            pending = True
            (barrier or shared_barrier()).then(run)

    return pressed
