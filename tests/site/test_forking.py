"""Kernels forked from the warm fork server behave like kernels started from scratch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from widgets.site import forking

# Run in a fresh interpreter started with -c: its __main__ is not re-imported by children,
# as with ``python -m voila``.
KERNEL_SESSION = textwrap.dedent(
    """
    import asyncio, json, os, signal, sys
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.factory import KernelProvisionerFactory
    from traitlets.config import Config

    async def run(code, kc):
        msg_id = kc.execute(code)
        out = []
        while True:
            msg = await kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                out.append(msg["content"]["ename"])
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out).strip()

    async def main():
        config = Config()
        config.KernelProvisionerFactory.default_provisioner_name = "neuguong-forking-provisioner"
        KernelProvisionerFactory.instance(config=config)
        km = AsyncKernelManager(kernel_name="python3", config=config)
        env = {**os.environ, "QUERY_STRING": "learner=abc"}
        await km.start_kernel(env=env, cwd=sys.argv[1])
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        report = {"provisioner": type(km.provisioner).__name__}
        report["first"] = json.loads(await run(
            "import json, os, sys; print(json.dumps({'preloaded': 'sqlalchemy' in sys.modules, "
            "'query': os.environ.get('QUERY_STRING'), 'cwd': os.getcwd(), 'pid': os.getpid(), "
            "'pgid': os.getpgid(0), 'name': __import__('psutil').Process().name(), "
            "'targets': sorted(get_ipython().kernel.comm_manager.targets), "
            "'debugpy': sys.modules.get('debugpy') is not None, "
            "'features': get_ipython().kernel.kernel_info['supported_features']}))", kc))
        sleeping = asyncio.ensure_future(run("import time; time.sleep(60)", kc))
        await asyncio.sleep(1)
        await km.interrupt_kernel()
        report["interrupted"] = await sleeping
        report["after_interrupt"] = await run("print('still here')", kc)
        os.kill(report["first"]["pid"], signal.SIGKILL)
        for _ in range(100):
            if not await km.is_alive():
                break
            await asyncio.sleep(0.1)
        report["alive_after_kill"] = await km.is_alive()
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        print(json.dumps(report))

    asyncio.run(main())
    """
)


@pytest.mark.skipif(not forking.enabled(), reason="no fork on this platform")
def test_a_forked_kernel_runs_code_takes_interrupts_and_dies_cleanly(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", KERNEL_SESSION, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["provisioner"] == "ForkingProvisioner"
    first = report["first"]
    assert first["preloaded"], "the kernel did not come from the warm fork server"
    assert first["query"] == "learner=abc" and first["cwd"] == str(tmp_path)
    assert first["pgid"] == first["pid"]  # its own process group: interrupts reach only it
    assert first["name"] == forking.KERNEL_PROCESS_NAME  # how ps, top and the tests see it
    # A front end can open widget comms (the control comm restores a page's widget states).
    assert {"jupyter.widget", "jupyter.widget.control"} <= set(first["targets"])
    # Without ipykernel's debugger (no page debugs): debugpy is never imported.
    assert not first["debugpy"] and "debugger" not in first["features"]
    assert report["interrupted"] == "KeyboardInterrupt"
    assert report["after_interrupt"] == "still here"
    assert report["alive_after_kill"] is False


def test_only_this_interpreters_ipykernel_is_forked() -> None:
    assert forking.kernel_arguments([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"]) == [
        "-f",
        "c.json",
    ]
    assert forking.kernel_arguments(["/usr/bin/R", "--slave", "-e", "IRkernel::main()"]) is None
    assert forking.kernel_arguments(["/opt/other/python", "-m", "ipykernel_launcher", "-f", "c"]) is None


@pytest.mark.parametrize(
    ("spec_name", "file", "reimported"),
    [
        ("voila.__main__", "/venv/voila/__main__.py", False),  # python -m voila
        (None, None, False),  # python -c
        (None, "/venv/bin/voila", True),  # a console script would run again in every kernel
    ],
)
def test_a_main_script_that_children_would_rerun_turns_forking_off(
    monkeypatch: pytest.MonkeyPatch, spec_name: str | None, file: str | None, reimported: bool
) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = types.SimpleNamespace(name=spec_name) if spec_name else None  # type: ignore[assignment]
    if file:
        main.__file__ = file
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert forking.main_is_reimported() is reimported


def test_forking_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(forking.ENABLE_ENV, "0")
    assert not forking.enabled()


def test_every_site_mode_selects_the_forking_provisioner() -> None:
    from widgets.site.launch import config_dir

    learner = (config_dir("learner") / "voila.py").read_text(encoding="utf-8")
    assert 'default_provisioner_name = "neuguong-forking-provisioner"' in learner
    for mode in ("kiosk", "trainer"):
        assert "learner" in (config_dir(mode) / "voila.py").read_text(encoding="utf-8")


def test_forked_kernels_are_recognised_as_kernels() -> None:
    from widgets.testing import is_kernel_process

    assert is_kernel_process(forking.KERNEL_PROCESS_NAME, ["python", "-B", "-c", "from multiprocessing…"])
    assert is_kernel_process("python", ["python", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not is_kernel_process("python", ["python", "-m", "voila"])
