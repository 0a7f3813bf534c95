"""Letting what a handler has shown reach the screen before the handler goes on.

ipykernel hands every message to its IOPub thread, which sends it once it holds the GIL. A
handler that goes on working after showing the learner something (a quiz's feedback, then
the explanation, the saved answer) keeps the GIL, so the message can wait up to the
interpreter's switch interval (5 ms) or the end of the handler. ``publish_now`` asks the
IOPub thread to run a marker after everything queued so far and waits for it, the way
ipykernel's own ``OutStream.flush`` does.

Sent is not yet seen: the server must forward the message and the browser draw it, and on a
small machine (a kiosk, an office PC) they share the cores with the kernel. ``show_first``
therefore also gives the message a head start before the handler's heavy work.
"""

from __future__ import annotations

import sys
import threading
import time

WAIT_S = 0.05
"""The longest a handler waits; the message is sent anyway, just later."""

HEAD_START_S = 0.02
"""How long a handler lets a sent message travel before it goes on. A page needs ~6 ms to
get a message from the kernel and ~5 ms to draw it on the 2-core benchmark machine; saving
the answer at once (SQL, then a disk sync) slowed the quiz's verdict by 2–4 ms there (see
``benchmarks/NOTES.md``). The handler sleeps, so it costs no CPU and the kernel stays busy:
a check still ends with its answer saved."""


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


def show_first(head_start: float = HEAD_START_S) -> bool:
    """``publish_now``, then sleep ``head_start`` seconds so that the server and the browser
    can show what was sent before the handler's next work competes with them for the CPU.
    ``False`` (and no wait) outside a running kernel."""
    sent = publish_now()
    if sent and head_start > 0:
        time.sleep(head_start)
    return sent
