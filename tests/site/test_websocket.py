"""The kernel websocket sends at once (TCP_NODELAY), and a kernel its pages left is shut down
after a grace period unless a page reconnects."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from widgets.site.launch import config_dir
from widgets.site.orphans import OrphanReaper
from widgets.site.websocket import DEFAULT_GRACE_SECONDS, NoDelayConnection


class Handler:
    """Records what the connection asks of its websocket handler."""

    def __init__(self) -> None:
        self.nodelay: list[bool] = []

    def set_nodelay(self, value: bool) -> None:
        self.nodelay.append(value)


class Manager(dict[str, Any]):
    """Stands in for the multi-kernel manager in the connection's own bookkeeping test."""


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Handler, Manager]:
    handler = Handler()
    manager = Manager(k1="kernel")
    monkeypatch.setattr(NoDelayConnection, "websocket_handler", handler, raising=False)
    monkeypatch.setattr(NoDelayConnection, "multi_kernel_manager", manager, raising=False)
    monkeypatch.setattr(NoDelayConnection, "kernel_id", "k1", raising=False)
    connection: Any = NoDelayConnection.__new__(NoDelayConnection)
    return connection, handler, manager


def test_connecting_turns_nagle_off_before_the_first_message(
    monkeypatch: pytest.MonkeyPatch, connection: tuple[Any, Handler, Manager]
) -> None:
    conn, handler, manager = connection
    order: list[str] = []
    monkeypatch.setattr(
        ZMQChannelsWebsocketConnection, "connect", lambda self: order.append(f"connect {handler.nodelay}")
    )
    conn.connect()
    assert order == ["connect [True]"]
    assert OrphanReaper.of(manager).connections("k1") == 1


def test_closing_the_last_websocket_starts_the_configured_countdown(
    monkeypatch: pytest.MonkeyPatch, connection: tuple[Any, Handler, Manager]
) -> None:
    conn, _, manager = connection
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: None)
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "disconnect", lambda self: None)
    monkeypatch.setattr(NoDelayConnection, "shutdown_grace_seconds", 42.0, raising=False)

    async def close() -> float:
        conn.connect()
        conn.disconnect()
        timer = OrphanReaper.of(manager).timers["k1"]
        left = timer.when() - asyncio.get_running_loop().time()
        timer.cancel()
        return left

    assert 41 < asyncio.run(close()) <= 42


def test_the_grace_period_is_a_setting_of_at_most_two_minutes() -> None:
    assert 0 < DEFAULT_GRACE_SECONDS <= 120
    assert NoDelayConnection().shutdown_grace_seconds == DEFAULT_GRACE_SECONDS
    config = Config()
    config.NoDelayConnection.shutdown_grace_seconds = 5
    assert NoDelayConnection(config=config).shutdown_grace_seconds == 5


def test_the_site_configuration_selects_it() -> None:
    text = (config_dir("learner") / "voila.py").read_text(encoding="utf-8")
    assert 'kernel_websocket_connection_class = "widgets.site.websocket.NoDelayConnection"' in text


@pytest.mark.parametrize("mode", ["learner", "kiosk", "trainer"])
def test_every_mode_frees_a_vanished_pages_kernel_within_two_minutes(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEUGUONG_TRAINER_TOKEN", "a-trainer-token-for-tests")
    config = PyFileConfigLoader("voila.py", path=str(config_dir(mode))).load_config()
    grace = config.NoDelayConnection.get("shutdown_grace_seconds", DEFAULT_GRACE_SECONDS)
    assert 0 < grace <= 120


# ---- The reaper against a real kernel manager and kernel ------------------------------------


async def _with_kernel(steps: Any) -> Any:
    manager = AsyncMappingKernelManager()
    kernel_id = await manager.start_kernel(kernel_name="python3")
    try:
        return await steps(manager, kernel_id, OrphanReaper.of(manager))
    finally:
        if kernel_id in manager:
            await manager.shutdown_kernel(kernel_id, now=True)


def test_a_kernel_its_page_left_is_shut_down_after_the_grace_period() -> None:
    async def steps(manager: Any, kernel_id: str, reaper: OrphanReaper) -> list[bool]:
        page = object()
        reaper.connected(kernel_id, page)
        reaper.disconnected(kernel_id, page, 1.0)
        seen = [kernel_id in manager]
        await asyncio.sleep(0.5)
        seen.append(kernel_id in manager)  # still within the grace period
        for _ in range(100):
            await asyncio.sleep(0.1)
            if kernel_id not in manager:
                break
        seen.append(kernel_id in manager)
        seen.append(reaper.reaped == 1 and not reaper.timers)
        return seen

    assert asyncio.run(_with_kernel(steps)) == [True, True, False, True]


def test_a_page_that_reconnects_or_another_tab_keeps_the_kernel() -> None:
    async def steps(manager: Any, kernel_id: str, reaper: OrphanReaper) -> list[bool]:
        first, again, tab = object(), object(), object()
        reaper.connected(kernel_id, first)
        reaper.disconnected(kernel_id, first, 0.5)
        await asyncio.sleep(0.1)
        reaper.connected(kernel_id, again)  # the page reconnected (network blip)
        reaper.connected(kernel_id, tab)
        reaper.disconnected(kernel_id, again, 0.5)
        reaper.disconnected(kernel_id, again, 0.5)  # a connection may report its close twice
        await asyncio.sleep(1.0)
        kept = [kernel_id in manager, reaper.reaped == 0]
        reaper.disconnected(kernel_id, tab, 0.3)  # the last one goes
        for _ in range(100):
            await asyncio.sleep(0.1)
            if kernel_id not in manager:
                break
        return [*kept, kernel_id not in manager]

    assert asyncio.run(_with_kernel(steps)) == [True, True, True]


def test_a_grace_period_of_zero_never_shuts_down() -> None:
    async def steps(manager: Any, kernel_id: str, reaper: OrphanReaper) -> bool:
        page = object()
        reaper.connected(kernel_id, page)
        reaper.disconnected(kernel_id, page, 0)
        await asyncio.sleep(0.3)
        return kernel_id in manager and not reaper.timers

    assert asyncio.run(_with_kernel(steps))


def test_a_kernel_shut_down_meanwhile_is_left_alone() -> None:
    async def steps(manager: Any, kernel_id: str, reaper: OrphanReaper) -> bool:
        page = object()
        reaper.connected(kernel_id, page)
        reaper.disconnected(kernel_id, page, 0.3)
        await manager.shutdown_kernel(kernel_id)  # the page's beacon
        await asyncio.sleep(0.6)
        return reaper.reaped == 0

    assert asyncio.run(_with_kernel(steps))
