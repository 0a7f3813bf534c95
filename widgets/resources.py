"""Where the kit's files are, in one place: the checkout it runs from, or the installed wheel.

In a checkout (``pip install -e .``, ``make serve``) everything is read in place: ``content/``,
``notebooks/``, ``deploy/`` and ``share/jupyter`` beside the ``widgets`` package. An installed
wheel (``pip install .``) carries copies of them as package data under ``widgets/_data/`` (the
same layout, so ``deploy/voila/*/voila.py`` finds ``notebooks/`` three folders up in both), and
the Voilà template in ``<prefix>/share/jupyter/voila/templates/neuguong`` (the wheel's
``shared-data``, where Voilà templates are installed). ``NEUGUONG_CONTENT`` points the kit at
an edited copy of the course (``neuguong init DIR``).

Pure Python, at the foundation (the course loader, the records' data folder, the server launcher
and the commands all ask it): no Voilà, Jupyter or ipywidgets import, nothing from the rest of
``widgets``.
"""

from __future__ import annotations

import functools
import os
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path

CONTENT_ENV = "NEUGUONG_CONTENT"
PACKAGE = Path(__file__).resolve().parent
"""The ``widgets`` package folder."""
CHECKOUT = PACKAGE.parent
"""The repository, when the package is used from a checkout."""
PACKAGE_DATA = PACKAGE / "_data"
"""Where an installed wheel keeps content, notebooks and deploy/ (see pyproject.toml)."""
TEMPLATE = Path("voila", "templates", "neuguong")
"""The Voilà template, relative to a ``share/jupyter`` folder."""
APP_NAME = "neuguong"


def is_checkout() -> bool:
    """Whether the package runs from a checkout (editable install or the repo on ``sys.path``)."""
    return (
        (CHECKOUT / "pyproject.toml").is_file()
        and (CHECKOUT / "content" / "course.yml").is_file()
        and (CHECKOUT / "deploy" / "voila").is_dir()
    )


@functools.cache
def kit_root() -> Path:
    """The folder holding ``content/``, ``notebooks/`` and ``deploy/``: the checkout, or the
    installed package's data."""
    if is_checkout():
        return CHECKOUT
    if (PACKAGE_DATA / "content" / "course.yml").is_file():
        return PACKAGE_DATA
    raise FileNotFoundError(
        f"neither a checkout ({CHECKOUT}) nor an installed wheel's data ({PACKAGE_DATA}) holds the course"
    )


def bundled_content_dir() -> Path:
    """The course that ships with the kit (``content/``), ignoring ``NEUGUONG_CONTENT``."""
    return kit_root() / "content"


def content_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$NEUGUONG_CONTENT``, else the course that ships with the kit."""
    configured = (os.environ if environ is None else environ).get(CONTENT_ENV, "").strip()
    return Path(configured).expanduser() if configured else bundled_content_dir()


def notebooks_dir(kind: str = "learner") -> Path:
    """The notebooks a site serves: ``notebooks/learner`` or ``notebooks/trainer``."""
    return kit_root() / "notebooks" / kind


def deploy_dir() -> Path:
    """``deploy/``: Voilà configurations, nginx, systemd and JupyterHub recipes."""
    return kit_root() / "deploy"


def voila_config_root() -> Path:
    """``deploy/voila``, holding ``<mode>/voila.py``."""
    return deploy_dir() / "voila"


def share_jupyter() -> Path:
    """The ``share/jupyter`` folder holding the ``neuguong`` Voilà template.

    A checkout's own; for an installed wheel, the data folder of the scheme it was installed
    into (the environment's prefix, or the user's with ``pip install --user``)."""
    if is_checkout():
        return CHECKOUT / "share" / "jupyter"
    schemes = [sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme("user")]
    candidates = [Path(sysconfig.get_path("data", scheme)) for scheme in schemes]
    candidates.append(Path(sys.prefix))
    for data in candidates:
        if (data / "share" / "jupyter" / TEMPLATE).is_dir():
            return data / "share" / "jupyter"
    return candidates[0] / "share" / "jupyter"


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where records live when ``NEUGUONG_DATA`` is not set: ``var/`` in a checkout, else the
    user's data folder (``%LOCALAPPDATA%\\neuguong`` on Windows, ``$XDG_DATA_HOME/neuguong`` or
    ``~/.local/share/neuguong`` elsewhere). Never inside the installed package."""
    if is_checkout():
        return CHECKOUT / "var"
    env = os.environ if environ is None else environ
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / APP_NAME
    base = env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / APP_NAME
