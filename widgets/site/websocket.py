"""The kernel websocket with Nagle's algorithm off.

Tornado leaves ``TCP_NODELAY`` unset on websockets, so a small message written while an
earlier one is still unacknowledged waits for the browser's delayed ACK (up to 40 ms on
Linux). A widget page trades many small messages both ways — a press, the kernel's busy and
idle notices, the feedback — so that wait lands on the learner's click. Selected in
``deploy/voila/learner/voila.py`` through ``Voila.kernel_websocket_connection_class``.
"""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayConnection(ZMQChannelsWebsocketConnection):  # type: ignore[misc]
    """``ZMQChannelsWebsocketConnection`` whose websocket sends every message at once."""

    def connect(self) -> asyncio.Future[None] | None:
        self.websocket_handler.set_nodelay(True)
        return super().connect()
