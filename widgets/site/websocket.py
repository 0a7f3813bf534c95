"""The kernel websocket: Nagle's algorithm off, and a vanished page's kernel shut down.

Tornado leaves ``TCP_NODELAY`` unset on websockets, so a small message written while an
earlier one is still unacknowledged waits for the browser's delayed ACK (up to 40 ms on
Linux). A widget page trades many small messages both ways — a press, the kernel's busy and
idle notices, the feedback — so that wait lands on the learner's click.

When a kernel's last websocket closes and no page reconnects within
``NoDelayConnection.shutdown_grace_seconds`` (default 90 s; 0 turns it off), the kernel is
shut down (:mod:`widgets.site.orphans`). Selected in ``deploy/voila/learner/voila.py``
through ``Voila.kernel_websocket_connection_class``; the grace period can be set there or on
the command line (``--NoDelayConnection.shutdown_grace_seconds=5``).
"""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from traitlets import Float

from widgets.site.orphans import OrphanReaper

DEFAULT_GRACE_SECONDS = 90.0


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """``ZMQChannelsWebsocketConnection`` that sends every message at once and lets a kernel
    without pages go."""

    shutdown_grace_seconds = Float(
        DEFAULT_GRACE_SECONDS,
        config=True,
        help="Shut a kernel down this many seconds after its last websocket closed, unless a "
        "page reconnects (0: never; the idle culler still applies).",
    )

    # Sync in ZMQChannelsWebsocketConnection; the abstract base annotates them as coroutines.
    def connect(self) -> asyncio.Future[None] | None:  # type: ignore[override]
        self.websocket_handler.set_nodelay(True)
        OrphanReaper.of(self.multi_kernel_manager).connected(self.kernel_id, self)
        return super().connect()

    def disconnect(self) -> None:  # type: ignore[override]  # sync, as connect
        # Unannotated in jupyter_server (untyped_calls_exclude misses super() calls).
        super().disconnect()  # type: ignore[no-untyped-call]
        reaper = OrphanReaper.of(self.multi_kernel_manager)
        reaper.disconnected(self.kernel_id, self, self.shutdown_grace_seconds)
