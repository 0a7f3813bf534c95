"""What the test suite and the benchmarks share to drive a real site (in the spirit of
``jupyter_server.pytest_plugin``): a free port, stopping a server's process group, and a
headless Chromium that can reach nothing but this machine.

Standard library only; nothing here is imported by the site itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = Path(os.environ.get("NEUGUONG_CHROMIUM", "/usr/bin/chromium"))
"""Debian's Chromium (``playwright install`` cannot download browsers here)."""

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    # Nothing but loopback resolves: a CDN request fails at once, as on a machine without
    # internet (not a silent packet drop, which would cost seconds more).
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
"""Launch arguments: quiet, no background traffic, no name resolution beyond loopback."""


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_loopback(url: str) -> bool:
    """True for loopback http(s)/ws(s) URLs and for in-page data:/blob:/about: URLs."""
    parsed = urlparse(url)
    return parsed.scheme in {"data", "blob", "about"} or (parsed.hostname or "") in LOOPBACK_HOSTS


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM the group ``process`` leads (started with ``start_new_session=True``; Voilà
    then shuts its kernels down), SIGKILL it if it outlives ``timeout`` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def is_kernel_process(name: str, cmdline: list[str]) -> bool:
    """Whether a process (its ``psutil`` name and command line) is a Jupyter kernel: started
    as ``python -m ipykernel_launcher``, or forked by ``widgets.site.forking``."""
    return name == "nk-kernel" or "ipykernel_launcher" in cmdline  # forking.KERNEL_PROCESS_NAME
