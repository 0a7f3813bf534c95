"""Kernels whose page vanished are shut down soon after their last websocket closes.

A page that is left normally shuts its kernel down with a beacon (``neuguong-session.js``).
A killed browser, a phone put to sleep or a dropped network sends none: the kernel would
live until the idle cull (30 minutes), holding ~60 MB. The kernel websocket connection
(:class:`widgets.site.websocket.NoDelayConnection`) reports here when a page connects and
disconnects; a kernel left with no websocket for the grace period is shut down, unless its
page reconnected in the meantime (a network blip, a phone waking up). A page that comes back
after that finds its kernel gone and reloads itself, resuming from the records store.

A browser that vanishes without closing its TCP connection is noticed by the websocket's
ping timeout (jupyter_server: 3 pings of 30 s); the grace period starts then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from tornado import web

ATTRIBUTE = "_neuguong_orphans"

log = logging.getLogger(__name__)


class OrphanReaper:
    """The pending shutdowns of one multi-kernel manager's kernels, one timer per kernel."""

    def __init__(self, manager: MappingKernelManager) -> None:
        self.manager = manager
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.live: dict[str, set[int]] = {}
        self.reaped = 0
        """How many kernels were shut down here."""

    @classmethod
    def of(cls, manager: MappingKernelManager) -> OrphanReaper:
        """The reaper of ``manager`` (one per manager, created on first use)."""
        reaper = getattr(manager, ATTRIBUTE, None)
        if reaper is None:
            reaper = cls(manager)
            setattr(manager, ATTRIBUTE, reaper)
        return reaper

    def connections(self, kernel_id: str) -> int:
        """Open websockets of ``kernel_id`` (counted here: a connection that closes twice
        counts once)."""
        return len(self.live.get(kernel_id, ()))

    def connected(self, kernel_id: str, connection: object) -> None:
        """A page (re)connected: its kernel is wanted again."""
        self.live.setdefault(kernel_id, set()).add(id(connection))
        timer = self.timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()

    def disconnected(self, kernel_id: str, connection: object, grace_seconds: float) -> None:
        """A websocket closed: with none left, shut the kernel down after ``grace_seconds``
        (0 or less: never)."""
        self.live.get(kernel_id, set()).discard(id(connection))
        if self.connections(kernel_id) > 0:
            return
        self.live.pop(kernel_id, None)
        if grace_seconds <= 0 or kernel_id not in self.manager:
            return
        previous = self.timers.pop(kernel_id, None)  # restart the countdown
        if previous is not None:
            previous.cancel()
        loop = asyncio.get_running_loop()
        self.timers[kernel_id] = loop.call_later(grace_seconds, self._expire, kernel_id, grace_seconds)

    def _expire(self, kernel_id: str, grace_seconds: float) -> None:
        self.timers.pop(kernel_id, None)
        if kernel_id not in self.manager or self.connections(kernel_id) > 0:
            return
        getattr(self.manager, "log", log).warning(
            "Shutting down kernel %s: no page has been connected to it for %g s", kernel_id, grace_seconds
        )
        self.reaped += 1
        task = asyncio.ensure_future(self._shutdown(kernel_id))
        task.add_done_callback(_report)

    async def _shutdown(self, kernel_id: str) -> None:
        with contextlib.suppress(KeyError, web.HTTPError):  # gone meanwhile (beacon, culler)
            await ensure_async(self.manager.shutdown_kernel(kernel_id))


def _report(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Could not shut down an abandoned kernel", exc_info=task.exception())
