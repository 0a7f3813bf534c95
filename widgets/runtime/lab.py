"""Notebooks opened in JupyterLab (``make lab``) rather than served by Voilà.

A Voilà page carries its sign-in session's token in its URL (``?session=``); a notebook in
JupyterLab has no URL of its own. So in JupyterLab the session opened by signing in (name,
unit and PIN) on the home notebook is remembered, as its token (never the learner ID), in one
file of the data folder (mode 0600) for the other notebooks of the same installation until
"Kết thúc" ends it or it expires: an author or trainer works through the course as one learner,
with the same records. Voilà's kernels (and so every learner and kiosk site) never read or
write that file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

LAB_SESSION_FILE = "lab-session"
VOILA_ENV = ("VOILA_KERNEL_ID", "VOILA_PREHEAT", "VOILA_BASE_URL", "VOILA_SERVER_URL")
"""Set by Voilà in every kernel it starts (pooled or not)."""


def in_voila(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this kernel was started by Voilà (a page of a site, not a notebook in JupyterLab)."""
    env = os.environ if environ is None else environ
    return any(name in env for name in VOILA_ENV)


def remembered_token(data: Path) -> str | None:
    """The token of the session signed in through JupyterLab, if any."""
    try:
        text = (Path(data) / LAB_SESSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def remember_token(data: Path, token: str) -> None:
    """Remember the session's ``token`` for the other notebooks (atomically; ``mkstemp`` makes
    the file readable by this user only)."""
    folder = Path(data)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False) as handle:
        handle.write(token)
    Path(handle.name).replace(folder / LAB_SESSION_FILE)


def forget_token(data: Path) -> None:
    """Sign out of JupyterLab: the notebooks act for nobody again."""
    with contextlib.suppress(FileNotFoundError):
        (Path(data) / LAB_SESSION_FILE).unlink()
