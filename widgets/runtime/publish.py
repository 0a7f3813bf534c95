"""Letting what a handler has shown reach the screen before the handler goes on.

ipykernel hands every message to its IOPub thread, which sends it once it holds the GIL. A
handler that goes on working after showing the learner something (a quiz's feedback, then
the explanation, the saved answer) keeps the GIL, so the message can wait up to the
interpreter's switch interval (5 ms) or the end of the handler. ``publish_now`` asks the
IOPub thread to run a marker after everything queued so far and waits for it, the way
ipykernel's own ``OutStream.flush`` does.

Sent is not yet seen: the server must forward the message and the browser draw it, and on a
small machine (a kiosk, an office PC) they share the cores with the kernel. ``show_first``
therefore also gives the message a head start before the handler's heavy work, a setting
(``$NEUGUONG_HEAD_START_MS``) that ``make bench`` measures (``benchmarks/roundtrip.py``).

Jupyter internals relied on (``tests/runtime/test_publish.py`` fails when an upgrade removes
one): ``ipykernel.kernelbase.Kernel.instance().iopub_thread``, that ``IOPubThread``'s
``thread`` and its ``schedule(callable)``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Mapping

WAIT_S = 0.05
"""The longest a handler waits; the message is sent anyway, just later."""

HEAD_START_ENV = "NEUGUONG_HEAD_START_MS"
DEFAULT_HEAD_START_MS = 20
"""How long a handler lets a sent message travel before it goes on. A page needs ~6 ms to
get a message from the kernel and ~5 ms to draw it on the 2-core benchmark machine; saving
the answer at once (SQL, then a disk sync) slowed the quiz's verdict by 2–4 ms there (see
``benchmarks/NOTES.md``). The handler sleeps, so it costs no CPU and the kernel stays busy:
a check still ends with its answer saved. ``make bench`` measures the click with 0 and 20 ms
side by side (``benchmarks/roundtrip.py``): measured again for issue 19, six runs, 20 ms saved
1.2–1.8 ms of the median in four, the three quietest among them (``benchmarks/NOTES.md``)."""
MAX_HEAD_START_MS = 1000
"""A kernel killed during the head start loses the answer it was about to save."""


def head_start_seconds(environ: Mapping[str, str] | None = None) -> float:
    """The verdict's head start (``$NEUGUONG_HEAD_START_MS`` milliseconds, default
    :data:`DEFAULT_HEAD_START_MS`), in seconds; ``0`` turns it off."""
    raw = (os.environ if environ is None else environ).get(HEAD_START_ENV, "").strip()
    if not raw:
        return DEFAULT_HEAD_START_MS / 1000
    try:
        milliseconds = int(raw)
    except ValueError:
        raise ValueError(f"{HEAD_START_ENV} must be a whole number of milliseconds, not {raw!r}") from None
    if not 0 <= milliseconds <= MAX_HEAD_START_MS:
        raise ValueError(f"{HEAD_START_ENV} must be between 0 and {MAX_HEAD_START_MS} ms, not {milliseconds}")
    return milliseconds / 1000


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


def show_first(head_start: float | None = None) -> bool:
    """``publish_now``, then sleep ``head_start`` seconds (default: :func:`head_start_seconds`)
    so that the server and the browser can show what was sent before the handler's next work
    competes with them for the CPU. ``False`` (and no wait) outside a running kernel."""
    sent = publish_now()
    if head_start is None:
        head_start = head_start_seconds()
    if sent and head_start > 0:
        time.sleep(head_start)
    return sent
