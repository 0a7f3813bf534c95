"""The kernel websocket sends at once (TCP_NODELAY): a click's messages never wait for an ACK."""

from __future__ import annotations

from typing import Any

import pytest
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from widgets.site.launch import config_dir
from widgets.site.websocket import NoDelayConnection


class Handler:
    """Records what the connection asks of its websocket handler."""

    def __init__(self) -> None:
        self.nodelay: list[bool] = []

    def set_nodelay(self, value: bool) -> None:
        self.nodelay.append(value)


def test_connecting_turns_nagle_off_before_the_first_message(monkeypatch: pytest.MonkeyPatch) -> None:
    handler = Handler()
    order: list[str] = []
    monkeypatch.setattr(
        ZMQChannelsWebsocketConnection, "connect", lambda self: order.append(f"connect {handler.nodelay}")
    )
    connection: Any = NoDelayConnection.__new__(NoDelayConnection)
    monkeypatch.setattr(NoDelayConnection, "websocket_handler", handler, raising=False)
    connection.connect()
    assert order == ["connect [True]"]


def test_the_site_configuration_selects_it() -> None:
    text = (config_dir("learner") / "voila.py").read_text(encoding="utf-8")
    assert 'kernel_websocket_connection_class = "widgets.site.websocket.NoDelayConnection"' in text
