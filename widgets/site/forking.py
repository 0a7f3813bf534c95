"""Kernels forked from a warm process instead of started from scratch.

Every Voilà page is a new kernel; started the usual way (``python -m ipykernel_launcher``)
each one spends about 2 s of CPU importing ipykernel, ipywidgets, SQLAlchemy and the kit
before it draws anything. This jupyter_client provisioner asks Python's ``forkserver``
(``multiprocessing``), which imported those modules once, for a child per kernel: the
child starts with them loaded and their memory pages shared.

A forked kernel runs without ipykernel's debugger: no Voilà page has a debugger front end,
and debugpy (about 140 modules, ~7 MB RSS) would be imported again in every kernel.

Selected in ``deploy/voila/*/voila.py`` through
``KernelProvisionerFactory.default_provisioner_name``; ``NEUGUONG_FORK_KERNELS=0`` turns it
off, and it is off where ``multiprocessing`` has no ``forkserver`` (Windows). A kernel command
that is not this interpreter's ``ipykernel_launcher`` (another kernelspec) starts the usual way.

Forked or not, every kernel this provisioner starts talks over Unix sockets where the
platform has them (:mod:`widgets.site.transport`), so no two kernels race for a TCP port.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from widgets.site import transport

ENABLE_ENV = "NEUGUONG_FORK_KERNELS"
KERNEL_PROCESS_NAME = "nk-kernel"
"""What ``ps``/``top`` show for a forked kernel (its command line is the fork server's)."""
PRELOAD = (
    "ipykernel.kernelapp",
    "ipywidgets",
    "sqlalchemy",
    "jinja2",
    "markdown_it",
    "yaml",
    "widgets.views.home",
    "widgets.views.module",
)
"""Imported once by the fork server. None of them reads the environment at import time
except ipykernel's ``parent_handle`` default, which :func:`_run_kernel` sets explicitly."""
WITHOUT = ("debugpy",)
"""Never imported in a forked kernel (see :func:`_run_kernel`)."""

_context: ForkServerContext | None = None


def enabled() -> bool:
    """Forking is on unless ``NEUGUONG_FORK_KERNELS=0``, and only where ``fork`` and
    ``forkserver`` exist (not on Windows, whose only start method is ``spawn``)."""
    if os.environ.get(ENABLE_ENV, "1") == "0":
        return False
    return {"fork", "forkserver"} <= set(multiprocessing.get_all_start_methods())


def fork_context() -> ForkServerContext:
    """The process-wide forkserver context, with the kit's modules preloaded."""
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        _context = context
    return _context


def main_is_reimported() -> bool:
    """Whether ``multiprocessing`` would re-import this process's ``__main__`` in each child.

    ``python -m voila`` (how ``neuguong serve`` starts it) is safe: a package's ``__main__``
    is never re-run. A script's ``__main__`` would be imported again in every kernel.
    """
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None:
        return not (name == "__main__" or name.endswith(".__main__"))
    return getattr(main, "__file__", None) is not None


def kernel_arguments(cmd: list[str]) -> list[str] | None:
    """The ipykernel arguments of ``cmd`` if it runs this interpreter's ``ipykernel_launcher``."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    try:
        same = Path(cmd[0]).resolve() == Path(sys.executable).resolve()
    except OSError:
        return None
    return cmd[3:] if same else None


def _run_kernel(arguments: list[str], env: dict[str, str], cwd: str) -> None:
    """In the forked child: become the kernel (what ``python -m ipykernel_launcher`` does)."""
    os.setsid()  # its own process group, so an interrupt reaches only this kernel
    _name_process(KERNEL_PROCESS_NAME)
    os.environ.clear()
    os.environ.update(env)
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    os.chdir(cwd)
    # As ipykernel_launcher does: not the folder the server was started from.
    # A private CPython attribute (the cwd at import time), absent from typeshed.
    started_in = multiprocessing.process.ORIGINAL_DIR  # type: ignore[attr-defined]
    sys.path[:] = [entry for entry in sys.path if entry not in ("", ".", started_in)]
    sys.argv = ["ipykernel_launcher", *arguments]
    # ipykernel imports debugpy in every kernel to offer its debugger (~7 MB RSS, 140 modules).
    # A Voilà page never debugs: with the import refused, ipykernel runs as it does where
    # debugpy is not installed (no "debugger" in kernel_info's supported features).
    for name in WITHOUT:
        # None in sys.modules makes ``import name`` raise ImportError (documented; typeshed says Module).
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    import ipywidgets
    from ipykernel import kernelapp

    app = kernelapp.IPKernelApp.instance()
    # The kernel exits when the fork server (and so Voilà) is gone.
    app.initialize([*arguments, f"--IPKernelApp.parent_handle={os.getppid()}"])
    # Imported before any kernel existed, ipywidgets missed its import-time registration of the
    # comm targets a front end opens ("jupyter.widget", "jupyter.widget.control").
    ipywidgets.load_ipython_extension(app.shell)
    app.start()


def _name_process(name: str) -> None:
    """Set the name ``ps -o comm`` shows (Linux ``prctl(PR_SET_NAME)``; elsewhere nothing)."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, name.encode(), 0, 0, 0)


class ForkedKernel:
    """The ``subprocess.Popen`` surface that ``LocalProvisioner`` uses, over a forked child."""

    stdin = stdout = stderr = None

    def __init__(self, process: BaseProcess) -> None:
        if process.pid is None:
            raise ValueError("ForkedKernel wraps a started process")
        self._process = process
        self.pid: int = process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self._process.join(timeout)
        return self._process.exitcode

    def send_signal(self, signum: int) -> None:
        """Like ``Popen.send_signal``: nothing once the kernel has exited."""
        if self.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):  # exited between the poll and the signal
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkingProvisioner(LocalProvisioner):
    """``LocalProvisioner`` whose kernels come from the warm fork server, over IPC."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:  # Any: jupyter_client's signature
        """Switch the kernel to Unix sockets (where available) before its connection file is written."""
        if self.parent is not None:
            transport.use_ipc(self.parent)
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:  # Any: as above
        arguments = kernel_arguments(cmd)
        if arguments is None or not enabled() or main_is_reimported():
            return await super().launch_kernel(cmd, **kwargs)
        env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
        cwd = str(kwargs.get("cwd") or Path.cwd())
        # Daemonic: Voilà's exit stops them (a non-daemonic child would hold the exit).
        process = fork_context().Process(
            target=_run_kernel, args=(arguments, env, cwd), name="neuguong-kernel", daemon=True
        )
        # The first start launches the fork server and its imports (~2 s): not on the event loop.
        await asyncio.get_running_loop().run_in_executor(None, process.start)
        # Duck-typed Popen: LocalProvisioner only uses pid, poll, wait, send_signal, terminate, kill.
        self.process = ForkedKernel(process)  # type: ignore[assignment]
        self.pid = self.pgid = process.pid
        self.cwd = cwd
        return self.connection_info
