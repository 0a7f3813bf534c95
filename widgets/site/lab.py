"""Notebooks opened in JupyterLab (``make lab``) rather than served by Voilà.

A Voilà page names its learner in its URL (``?learner=``); a notebook in JupyterLab has no URL
of its own. So in JupyterLab the learner who signs in on the home notebook is remembered, in
one file of the data folder, for the other notebooks of the same installation until they sign
out: an author or trainer works through the course as one learner, with the same records.
Voilà's kernels (and so every learner and kiosk site) never read or write that file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

LAB_LEARNER_FILE = "lab-learner"
VOILA_ENV = ("VOILA_KERNEL_ID", "VOILA_PREHEAT", "VOILA_BASE_URL", "VOILA_SERVER_URL")
"""Set by Voilà in every kernel it starts (pooled or not)."""


def in_voila(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this kernel was started by Voilà (a page of a site, not a notebook in JupyterLab)."""
    env = os.environ if environ is None else environ
    return any(name in env for name in VOILA_ENV)


def remembered_learner(data: Path) -> str | None:
    """The learner signed in through JupyterLab, if any."""
    try:
        text = (Path(data) / LAB_LEARNER_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def remember_learner(data: Path, learner_id: str) -> None:
    """Remember ``learner_id`` for the other notebooks (atomically; ``mkstemp`` makes the file
    readable by this user only)."""
    folder = Path(data)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False) as handle:
        handle.write(learner_id)
    Path(handle.name).replace(folder / LAB_LEARNER_FILE)


def forget_learner(data: Path) -> None:
    """Sign out of JupyterLab: the notebooks act for nobody again."""
    with contextlib.suppress(FileNotFoundError):
        (Path(data) / LAB_LEARNER_FILE).unlink()
