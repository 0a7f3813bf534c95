"""``publish_now`` and ``show_first`` in a real kernel: a widget update leaves while the handler
keeps the GIL, and arrives before the handler goes on after its head start. The ipykernel
internals they rely on are named below: ``publish_now`` quietly does nothing without them, so
these tests are what notice an upgrade that removed them. The head start is a setting."""

from __future__ import annotations

import ast
import inspect
import queue
import textwrap
import time
from importlib.metadata import version
from typing import Any

import pytest
from ipykernel import iostream, kernelbase
from jupyter_client.manager import start_new_kernel

from widgets.runtime.publish import (
    DEFAULT_HEAD_START_MS,
    HEAD_START_ENV,
    head_start_seconds,
    publish_now,
    show_first,
)

CELL = """
import sys, time
import ipywidgets as w
from widgets.runtime.publish import show_first
box = w.HTML("")
print(box.model_id, flush=True)
sys.setswitchinterval(2.0)  # the IOPub thread gets the GIL only when it is given up
box.value = "verdict"
shown_at = time.time()
sent = show_first(head_start=0.3)
resumed = time.time()
busy_until = time.time() + 1.0
while time.time() < busy_until:  # building the explanation, saving the answer...
    pass
sys.setswitchinterval(0.005)
print(sent, shown_at, resumed, busy_until, flush=True)
"""


def test_outside_a_kernel_it_does_not_wait() -> None:
    started = time.monotonic()
    assert publish_now() is False
    assert show_first(head_start=1.0) is False
    assert time.monotonic() - started < 0.01


@pytest.mark.slow
def test_the_update_arrives_while_the_handler_is_still_busy() -> None:
    manager, client = start_new_kernel(startup_timeout=120)
    try:
        client.execute(CELL)
        arrived: dict[str, float] = {}
        printed: list[str] = []
        deadline = time.monotonic() + 60
        while len(printed) < 5 and time.monotonic() < deadline:  # a print may come in pieces
            try:
                msg: dict[str, Any] = client.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                continue
            content = msg["content"]
            if msg["msg_type"] == "stream":
                printed += content["text"].split()
            elif msg["msg_type"] == "comm_msg" and content["data"].get("state", {}).get("value") == "verdict":
                arrived.setdefault(content["comm_id"], time.time())
        model_id, sent = printed[0], printed[1]
        shown_at, resumed, busy_until = (float(word) for word in printed[2:5])
        assert sent == "True"
        assert resumed - shown_at >= 0.3  # the head start
        assert arrived[model_id] < resumed  # here before the handler went on ...
        assert busy_until - arrived[model_id] > 0.5  # ... not when it finished
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def gone(what: str) -> str:
    return (
        f"ipykernel {version('ipykernel')} no longer has {what}, which widgets/runtime/publish.py "
        "relies on (publish_now would quietly stop waiting for the verdict to leave): adapt the "
        "shim before raising ipykernel's upper pin in pyproject.toml"
    )


def test_the_kernel_singleton_still_holds_its_iopub_thread() -> None:
    """``ipykernel.kernelbase.Kernel.initialized()``, ``Kernel.instance()`` and its
    ``iopub_thread`` trait: how ``publish_now`` finds the IOPub thread of the running kernel."""
    assert callable(getattr(kernelbase.Kernel, "initialized", None)), gone("Kernel.initialized()")
    assert callable(getattr(kernelbase.Kernel, "instance", None)), gone("Kernel.instance()")
    assert "iopub_thread" in kernelbase.Kernel.class_traits(), gone("the Kernel.iopub_thread trait")


def test_the_iopub_thread_still_runs_scheduled_callables_on_its_thread() -> None:
    """``ipykernel.iostream.IOPubThread.schedule(callable)`` and its ``thread`` attribute (a
    ``threading.Thread``, set in ``__init__``): ``publish_now`` schedules a marker after the
    queued messages and waits for it."""
    schedule = getattr(iostream.IOPubThread, "schedule", None)
    assert callable(schedule), gone("IOPubThread.schedule")
    assert list(inspect.signature(schedule).parameters) == ["self", "f"], gone("IOPubThread.schedule(f)")
    init = ast.parse(textwrap.dedent(inspect.getsource(iostream.IOPubThread.__init__)))
    assigned = {
        ast.unparse(target)
        for node in ast.walk(init)
        if isinstance(node, ast.Assign)
        for target in node.targets
    }
    assert "self.thread" in assigned, gone("IOPubThread.thread")


def test_the_head_start_is_a_setting_in_whole_milliseconds() -> None:
    assert head_start_seconds({}) == DEFAULT_HEAD_START_MS / 1000
    assert head_start_seconds({HEAD_START_ENV: " 0 "}) == 0
    assert head_start_seconds({HEAD_START_ENV: "35"}) == pytest.approx(0.035)
    for bad in ("0.02", "abc", "-1", "1001"):
        with pytest.raises(ValueError, match=HEAD_START_ENV):
            head_start_seconds({HEAD_START_ENV: bad})


def test_show_first_reads_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a kernel, ``show_first()`` sleeps the configured head start after the message left."""
    slept: list[float] = []
    monkeypatch.setattr("widgets.runtime.publish.publish_now", lambda: True)
    monkeypatch.setattr("widgets.runtime.publish.time.sleep", slept.append)
    monkeypatch.setenv(HEAD_START_ENV, "7")
    assert show_first() is True
    monkeypatch.setenv(HEAD_START_ENV, "0")
    assert show_first() is True
    assert slept == [pytest.approx(0.007)]
