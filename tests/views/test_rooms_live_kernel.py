"""The live refresher inside a real kernel: an asyncio task on the kernel's loop that keeps
sending widget updates after the cell has finished (what a Voila page receives)."""

from __future__ import annotations

import queue
import time
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

CELL = """
import ipywidgets as w
from widgets.views.rooms.live import LiveRefresher
box = w.HTML("start")
count = {"n": 0}
def fetch():
    count["n"] += 1
    return count["n"]
def apply(n):
    box.value = f"tick {n}"
refresher = LiveRefresher(fetch, apply, interval=0.5).start()
print(refresher.mode, box.model_id)
"""


def run(client: Any, code: str) -> str:
    """Execute ``code``; return what it printed."""
    printed: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    reply = client.execute_interactive(code, timeout=60, output_hook=hook)
    assert reply["content"]["status"] == "ok"
    return "".join(printed)


def updates(client: Any, model_id: str, seconds: float, enough: int = 10**6) -> list[str]:
    """The values sent for widget ``model_id`` during ``seconds`` (or until ``enough``)."""
    values: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(values) < enough:
        try:
            msg = client.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            continue
        data = msg["content"].get("data", {})
        ours = msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == model_id
        if ours and data.get("method") == "update" and "value" in data.get("state", {}):
            values.append(data["state"]["value"])
    return values


@pytest.mark.slow
def test_refresher_updates_a_widget_from_the_kernel_loop() -> None:
    manager, client = start_new_kernel(startup_timeout=120)
    try:
        mode, model_id = run(client, CELL).split()
        assert mode == "asyncio"
        values = updates(client, model_id, seconds=3.0, enough=3)  # the bound for the room screen
        assert len(values) >= 3 and values == sorted(values, key=lambda v: int(v.split()[1]))
        assert run(client, "refresher.stop()\nprint(refresher.running)").strip() == "False"
        updates(client, model_id, seconds=0.3)  # drain what was already sent
        assert updates(client, model_id, seconds=1.5) == []  # stopped: no more updates
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
