"""The jupyter_client and jupyter_server internals of the other server-side shims:
``widgets/site/transport.py`` (kernels over Unix sockets) and ``widgets/site/websocket.py``
(the kernel websocket without Nagle's delay, and a vanished page's kernel shut down).

They stay in ``widgets/site/``; their fence tests sit here with the others, so that
``pytest tests/runtime`` says what an upgrade breaks. Each names what it checks and fails with
the package and version that no longer has it.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from pathlib import Path

from jupyter_client.connect import ConnectionFileMixin
from jupyter_client.manager import KernelManager
from jupyter_server.services.kernels.connection.base import BaseKernelWebsocketConnection
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from widgets.site.websocket import NoDelayConnection


def gone(package: str, what: str, shim: str) -> str:
    return (
        f"{package} {version(package)} no longer has {what}, which widgets/site/{shim} relies on: "
        f"adapt the shim before raising {package}'s upper pin in pyproject.toml"
    )


def test_a_kernel_manager_still_says_whether_it_wrote_its_connection_file(tmp_path: Path) -> None:
    """``use_ipc`` leaves a manager alone once it has written its connection file (a restart
    keeps its sockets), read from the private ``ConnectionFileMixin._connection_file_written``."""
    assert "_connection_file_written" in ConnectionFileMixin.class_traits(), gone(
        "jupyter_client", "ConnectionFileMixin._connection_file_written", "transport.py"
    )
    manager = KernelManager(connection_file=str(tmp_path / "kernel.json"))
    assert manager._connection_file_written is False
    manager.write_connection_file()
    assert manager._connection_file_written is True, gone(
        "jupyter_client", "write_connection_file setting _connection_file_written", "transport.py"
    )
    manager.cleanup_connection_file()


def test_the_kernel_websocket_connection_is_still_synchronous_and_knows_its_handler() -> None:
    """``NoDelayConnection`` overrides ``ZMQChannelsWebsocketConnection.connect`` and
    ``disconnect`` as plain methods, and reaches the tornado handler (``websocket_handler``), the
    kernel manager (``multi_kernel_manager``) and ``kernel_id`` through the base connection."""
    for name in ("connect", "disconnect"):
        method = getattr(ZMQChannelsWebsocketConnection, name, None)
        assert method is not None and not inspect.iscoroutinefunction(method), gone(
            "jupyter_server", f"a synchronous ZMQChannelsWebsocketConnection.{name}", "websocket.py"
        )
    for name in ("websocket_handler", "multi_kernel_manager", "kernel_id"):
        assert hasattr(BaseKernelWebsocketConnection, name), gone(
            "jupyter_server", f"BaseKernelWebsocketConnection.{name}", "websocket.py"
        )
    assert issubclass(NoDelayConnection, ZMQChannelsWebsocketConnection)
