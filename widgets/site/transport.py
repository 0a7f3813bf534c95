"""Kernels over Unix sockets (ZeroMQ's IPC transport) instead of loopback TCP ports.

Over TCP, jupyter_client picks five ports that are free *now* and writes them in the
connection file; the kernel binds them a moment later. Under a burst of page loads another
process (another kernel, an outgoing connection) can take one in between, and that kernel
dies with ZMQ "Address already in use": its page never finishes loading. A Unix socket is a
file named after its kernel's id, so no other kernel can take it.

Where the platform has no IPC transport (Windows, a libzmq built without it) kernels keep
TCP; ``NEUGUONG_KERNEL_TRANSPORT=tcp`` chooses TCP everywhere. The sockets lie beside the
kernel's connection file when that path is short enough for a socket address (Voilà keeps
connection files in a private ``voila_*`` folder it removes on exit), otherwise in a short
private folder (mode 0700) under the temporary folder, removed when the server exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jupyter_client.manager import KernelManager

TRANSPORT_ENV = "NEUGUONG_KERNEL_TRANSPORT"
SOCKET_PATH_MAX = 100
"""Longest socket path used: ``sun_path`` holds 108 bytes on Linux and 104 on macOS."""
SUFFIX = "-ipc"
"""As jupyter_client names them: ``<connection file stem>-ipc-<n>``, n = 1..5."""

_private_dir: Path | None = None


def ipc_available(platform: str | None = None) -> bool:
    """Whether kernels here can run over IPC: not on Windows, and only with a libzmq that has it."""
    if os.environ.get(TRANSPORT_ENV, "ipc").lower() == "tcp":
        return False
    if (platform or sys.platform) == "win32":
        return False
    import zmq

    return bool(zmq.has("ipc"))


def private_dir() -> Path:
    """This process's short private folder for sockets (created once, mode 0700)."""
    global _private_dir
    if _private_dir is None or not _private_dir.is_dir():
        root = tempfile.gettempdir()
        if len(root) > 40 and Path("/tmp").is_dir():  # e.g. a long $TMPDIR under systemd
            root = "/tmp"
        _private_dir = Path(tempfile.mkdtemp(prefix="nk-", dir=root))  # mkdtemp: mode 0700
        atexit.register(shutil.rmtree, _private_dir, True)
    return _private_dir


def socket_prefix(connection_file: str) -> str:
    """Where a kernel's sockets go: ``<prefix>-1`` … ``<prefix>-5``.

    Beside the connection file if the longest path fits a socket address, else in
    :func:`private_dir`.
    """
    path = Path(connection_file)
    name = path.stem + SUFFIX
    beside = str(path.parent / name)
    if path.is_absolute() and len(f"{beside}-99".encode()) <= SOCKET_PATH_MAX:
        return beside
    prefix = str(private_dir() / name)
    if len(f"{prefix}-99".encode()) > SOCKET_PATH_MAX:  # a very long kernel id
        prefix = str(private_dir() / (name[-40:]))
    return prefix


def use_ipc(kernel_manager: KernelManager) -> bool:
    """Switch a kernel manager to IPC before it writes its connection file; whether it did.

    Does nothing where IPC is not available, or once the manager has written a connection
    file (a restart keeps its sockets).
    """
    if not ipc_available():
        return False
    if kernel_manager.transport == "ipc":
        return True
    if getattr(kernel_manager, "_connection_file_written", False):
        return False
    if not kernel_manager.connection_file:  # jupyter_client would make a temporary file
        kernel_manager.connection_file = str(private_dir() / f"kernel-{uuid.uuid4()}.json")
    kernel_manager.cache_ports = False  # port numbers are socket suffixes, not TCP ports
    kernel_manager.transport = "ipc"
    kernel_manager.ip = socket_prefix(kernel_manager.connection_file)
    return True


def remove_private_dir() -> None:
    """Remove :func:`private_dir` now (tests; the server does it at exit)."""
    global _private_dir
    if _private_dir is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(_private_dir)
        _private_dir = None
