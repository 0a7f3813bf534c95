"""``publish_now`` and ``show_first`` in a real kernel: a widget update leaves while the handler
keeps the GIL, and arrives before the handler goes on after its head start."""

from __future__ import annotations

import queue
import time
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

from widgets.runtime.publish import publish_now, show_first

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
