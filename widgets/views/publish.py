"""Letting what a handler has shown leave the kernel before the handler goes on.

ipykernel hands every message to its IOPub thread, which sends it once it holds the GIL. A
handler that goes on working after showing the learner something (a quiz's feedback, then
the explanation, the saved answer) keeps the GIL, so the message can wait up to the
interpreter's switch interval (5 ms) or the end of the handler. ``publish_now`` asks the
IOPub thread to run a marker after everything queued so far and waits for it, the way
ipykernel's own ``OutStream.flush`` does.
"""

from __future__ import annotations

import sys
import threading

WAIT_S = 0.05
"""The longest a handler waits; the message is sent anyway, just later."""


def publish_now(timeout: float = WAIT_S) -> bool:
    """Wait until every message published so far has been handed to ZeroMQ; ``False`` (and
    no wait) outside a running kernel, or if the IOPub thread did not answer in time."""
    kernelbase = sys.modules.get("ipykernel.kernelbase")  # imported by every running kernel
    if kernelbase is None or not kernelbase.Kernel.initialized():
        return False
    io_thread = getattr(kernelbase.Kernel.instance(), "iopub_thread", None)
    thread = getattr(io_thread, "thread", None)
    if io_thread is None or thread is None or not thread.is_alive() or thread is threading.current_thread():
        return False
    sent = threading.Event()
    io_thread.schedule(sent.set)
    return sent.wait(timeout)
