"""Kiosk settings shared by the Voilà configuration and the kernels (which inherit the
server's environment): is this site a kiosk, and after how long without input it signs the
learner out. On a kiosk one number serves both the page's idle reset and the session tokens'
expiry; the desk site's and JupyterLab's tokens live longer unused (2 hours by default)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from widgets.runtime.mode import MODE_ENV

IDLE_ENV = "NEUGUONG_KIOSK_IDLE_SECONDS"
DEFAULT_IDLE_SECONDS = 180
MIN_IDLE_SECONDS = 5


def is_kiosk(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the site runs as ``neuguong serve --mode kiosk``."""
    return (os.environ if environ is None else environ).get(MODE_ENV) == "kiosk"


def idle_seconds(environ: Mapping[str, str] | None = None) -> int:
    """Seconds without input before the kiosk signs out (``$NEUGUONG_KIOSK_IDLE_SECONDS``, 180)."""
    raw = (os.environ if environ is None else environ).get(IDLE_ENV, "").strip()
    if not raw:
        return DEFAULT_IDLE_SECONDS
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError(f"{IDLE_ENV} must be a whole number of seconds, not {raw!r}") from None
    if seconds < MIN_IDLE_SECONDS:
        raise ValueError(f"{IDLE_ENV} must be at least {MIN_IDLE_SECONDS} seconds, not {seconds}")
    return seconds


def warning_seconds(idle: int) -> int:
    """How long the "still there?" notice shows before the reset: 20 s, less for short idles."""
    return min(20, max(MIN_IDLE_SECONDS, idle // 3))


DESK_IDLE_ENV = "NEUGUONG_SESSION_IDLE_SECONDS"
DEFAULT_DESK_IDLE_SECONDS = 2 * 3600


def desk_idle_seconds(environ: Mapping[str, str] | None = None) -> int:
    """Seconds a desk (or JupyterLab) session lives unused (``$NEUGUONG_SESSION_IDLE_SECONDS``, 2 h)."""
    raw = (os.environ if environ is None else environ).get(DESK_IDLE_ENV, "").strip()
    if not raw:
        return DEFAULT_DESK_IDLE_SECONDS
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError(f"{DESK_IDLE_ENV} must be a whole number of seconds, not {raw!r}") from None
    if seconds < MIN_IDLE_SECONDS:
        raise ValueError(f"{DESK_IDLE_ENV} must be at least {MIN_IDLE_SECONDS} seconds, not {seconds}")
    return seconds


def session_ttl(environ: Mapping[str, str] | None = None) -> timedelta:
    """How long a sign-in session token lives after its last use: on a kiosk the idle time,
    elsewhere :func:`desk_idle_seconds`."""
    if is_kiosk(environ):
        return timedelta(seconds=idle_seconds(environ))
    return timedelta(seconds=desk_idle_seconds(environ))
