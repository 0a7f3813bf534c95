"""Kernels talk over Unix sockets where the platform has them, TCP elsewhere (Windows)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

from widgets.site import forking, transport

# Run in a fresh interpreter (as ``python -m voila`` runs): start one kernel through the
# kit's provisioner, run code in it, look at its sockets, shut it down.
KERNEL_OVER_IPC = textwrap.dedent(
    """
    import asyncio, json, multiprocessing, os, stat, sys
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.factory import KernelProvisionerFactory
    from traitlets.config import Config

    folder, how = sys.argv[1], sys.argv[2]
    if how == "no-forkserver":  # as on Windows
        multiprocessing.get_all_start_methods = lambda: ["spawn"]

    def sockets(prefix):
        return [os.path.exists(f"{prefix}-{n}") and stat.S_ISSOCK(os.stat(f"{prefix}-{n}").st_mode)
                for n in range(1, 6)]

    async def main():
        config = Config()
        config.KernelProvisionerFactory.default_provisioner_name = "neuguong-forking-provisioner"
        KernelProvisionerFactory.instance(config=config)
        km = AsyncKernelManager(
            kernel_name="python3", config=config, connection_file=os.path.join(folder, "kernel-k1.json")
        )
        await km.start_kernel(cwd=folder)
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        msg_id = kc.execute("import psutil, os; print(psutil.Process().name(), os.getpid())")
        out = ""
        while True:
            msg = await kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out += msg["content"]["text"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        info = km.get_connection_info()
        report = {
            "transport": info["transport"], "ip": info["ip"], "kernel": out.split()[0],
            "sockets": sockets(info["ip"]),
        }
        kc.stop_channels()
        await km.shutdown_kernel()
        report["sockets_after"] = sockets(info["ip"])
        print(json.dumps(report))

    asyncio.run(main())
    """
)


@pytest.fixture
def private_dir() -> Iterator[None]:
    yield
    transport.remove_private_dir()


def run_kernel(folder: Path, how: str) -> dict[str, object]:
    env = {**os.environ, forking.ENABLE_ENV: "0" if how == "env-off" else "1"}
    env.pop(transport.TRANSPORT_ENV, None)
    result = subprocess.run(
        [sys.executable, "-c", KERNEL_OVER_IPC, str(folder), how],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.skipif(not transport.ipc_available(), reason="no IPC transport on this platform")
@pytest.mark.parametrize("how", ["fork", "env-off", "no-forkserver"])
def test_kernels_forked_or_not_run_over_unix_sockets(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    report = run_kernel(folder, how)
    assert report["transport"] == "ipc"
    assert report["ip"] == str(folder / "kernel-k1-ipc")  # beside the connection file
    assert report["sockets"] == [True] * 5  # shell, iopub, stdin, control, heartbeat
    assert report["sockets_after"] == [False] * 5  # removed with the kernel
    forked = report["kernel"] == forking.KERNEL_PROCESS_NAME
    assert forked is (how == "fork" and forking.enabled())


def test_forking_switches_itself_off_without_fork_or_forkserver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(forking.ENABLE_ENV, raising=False)
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn"])  # Windows
    assert not forking.enabled()
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["spawn", "fork"])
    assert not forking.enabled()
    monkeypatch.setattr("multiprocessing.get_all_start_methods", lambda: ["fork", "spawn", "forkserver"])
    assert forking.enabled()


def test_windows_keeps_tcp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(transport.TRANSPORT_ENV, raising=False)
    km = KernelManager(connection_file=str(tmp_path / "kernel-k.json"))
    assert km.ip == "127.0.0.1"
    monkeypatch.setattr(sys, "platform", "win32")
    assert not transport.ipc_available()
    assert transport.use_ipc(km) is False
    assert km.transport == "tcp" and km.ip == "127.0.0.1"


def test_tcp_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(transport.TRANSPORT_ENV, "tcp")
    assert not transport.ipc_available(platform="linux")


@pytest.mark.skipif(not transport.ipc_available(), reason="no IPC transport on this platform")
def test_sockets_go_beside_a_short_connection_file(tmp_path: Path) -> None:
    km = KernelManager(connection_file=str(tmp_path / "kernel-k.json"))
    assert transport.use_ipc(km)
    assert km.transport == "ipc" and km.ip == str(tmp_path / "kernel-k-ipc")
    assert km.cache_ports is False  # no TCP port is reserved for it
    km.write_connection_file()
    info = json.loads((tmp_path / "kernel-k.json").read_text())
    assert info["transport"] == "ipc" and info["ip"] == km.ip
    assert sorted(info[f"{name}_port"] for name in ("shell", "iopub", "stdin", "control", "hb")) == [
        1,
        2,
        3,
        4,
        5,
    ]
    km.cleanup_connection_file()


@pytest.mark.skipif(not transport.ipc_available(), reason="no IPC transport on this platform")
def test_a_long_connection_folder_sends_the_sockets_to_a_short_private_folder(
    tmp_path: Path, private_dir: None
) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    km = KernelManager(connection_file=str(deep / "kernel-0d6f2c1e-7f0b-4b8e-9d8a-5a7f3c2b1e0f.json"))
    assert transport.use_ipc(km)
    folder = Path(km.ip).parent
    assert folder == transport.private_dir()
    assert len(f"{km.ip}-5".encode()) <= transport.SOCKET_PATH_MAX
    assert Path(km.ip).name == "kernel-0d6f2c1e-7f0b-4b8e-9d8a-5a7f3c2b1e0f-ipc"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.skipif(not transport.ipc_available(), reason="no IPC transport on this platform")
def test_a_manager_without_a_connection_file_gets_one_in_the_private_folder(private_dir: None) -> None:
    km = KernelManager()
    assert transport.use_ipc(km)
    assert Path(km.connection_file).parent == transport.private_dir()
    assert km.ip == km.connection_file.removesuffix(".json") + "-ipc"


@pytest.mark.skipif(not transport.ipc_available(), reason="no IPC transport on this platform")
def test_a_restart_keeps_its_transport(tmp_path: Path) -> None:
    km = KernelManager(connection_file=str(tmp_path / "kernel-k.json"))
    km.write_connection_file()  # started over TCP before (e.g. another provisioner)
    assert transport.use_ipc(km) is False
    assert km.transport == "tcp"
    km.cleanup_connection_file()
