"""A refresher for live screens: re-query every few seconds and update a widget.

In a kernel (Voila or Jupyter) it is an asyncio task on the kernel's own event loop: the
query runs in a worker thread, the widget is updated on the loop's thread (where ipywidgets
expects it), and the task ends with the loop when the kernel shuts down. Outside a running
loop (scripts, tests) it falls back to a daemon thread, stopped at interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

INTERVAL_S = 2.0
"""Seconds between refreshes: the screen is never more than ~2 s (+ query time) behind."""


T = TypeVar("T")


class LiveRefresher(Generic[T]):
    """Calls ``fetch()`` (may block: database) then ``apply(result)`` every ``interval`` s."""

    def __init__(
        self, fetch: Callable[[], T], apply: Callable[[T], None], interval: float = INTERVAL_S
    ) -> None:
        self.fetch = fetch
        self.apply = apply
        self.interval = interval
        self.ticks = 0
        self._stop = threading.Event()
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Will refresh again (``False`` as soon as :meth:`stop` is called)."""
        if self._stop.is_set():
            return False
        if self._task is not None:
            return not self._task.done()
        return self._thread is not None and self._thread.is_alive()

    @property
    def mode(self) -> str | None:
        """``"asyncio"``, ``"thread"`` or ``None`` before :meth:`start`."""
        return "asyncio" if self._task else "thread" if self._thread else None

    def start(self) -> LiveRefresher[T]:
        if self.running:
            return self
        self._stop.clear()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            self._task = loop.create_task(self._run_async())
        else:
            self._thread = threading.Thread(target=self._run_thread, name="nk-live-refresh", daemon=True)
            self._thread.start()
            atexit.register(self.stop)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop refreshing; a refresher thread is waited for (at most ``timeout`` s)."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def tick(self) -> None:
        """One refresh, now (synchronously)."""
        self.apply(self.fetch())
        self.ticks += 1

    async def _run_async(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            try:
                result = await loop.run_in_executor(None, self.fetch)
                if self._stop.is_set():
                    break
                self.apply(result)
                self.ticks += 1
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed query must not end the live screen
                log.exception("live refresh failed")
            await asyncio.sleep(self.interval)

    def _run_thread(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("live refresh failed")
            self._stop.wait(self.interval)
