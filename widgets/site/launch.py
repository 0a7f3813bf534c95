"""Build and run the site's Voilà command for one site mode: learner, kiosk or trainer.

The command is ``python -m widgets.site`` (Voilà with the kit's additions, see
:mod:`widgets.site.app`), which takes the same options as ``voila``.

Voilà finds the ``neuguong`` template through ``JUPYTER_PATH`` (the repo's
``share/jupyter`` comes first), reads its configuration from ``deploy/voila/<mode>/voila.py``
through ``--Voila.config_file_paths`` and passes ``NEUGUONG_DATA`` on to every kernel.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypedDict, Unpack

from widgets import resources
from widgets.runtime.mode import MODE_ENV

# Checkout or installed wheel: resolved in one place (widgets/resources.py).
REPO = resources.kit_root()
SHARE_JUPYTER = resources.share_jupyter()
CONFIG_ROOT = resources.voila_config_root()
DEFAULT_DATA = resources.default_data_dir()

DATA_ENV = "NEUGUONG_DATA"
TOKEN_ENV = "NEUGUONG_TRAINER_TOKEN"
MIN_TOKEN_LENGTH = 12

MODES = ("learner", "kiosk", "trainer")
ROOTS = {
    "learner": resources.notebooks_dir("learner"),
    "kiosk": resources.notebooks_dir("learner"),
    "trainer": resources.notebooks_dir("trainer"),
}


class LaunchError(ValueError):
    """The site cannot start as asked (unknown mode, missing token, unsafe data folder)."""


@dataclass(frozen=True)
class LaunchSpec:
    """Everything needed to start Voilà: the command line and its environment."""

    mode: str
    argv: tuple[str, ...]
    env: dict[str, str]
    root_dir: Path
    data_dir: Path
    config_dir: Path

    def describe(self) -> str:
        """The command and the environment that matter, for ``--dry-run``."""
        names = ("JUPYTER_PATH", "NEUGUONG_DATA", "NEUGUONG_SITE_MODE")
        return "\n".join([" ".join(self.argv), *(f"{name}={self.env[name]}" for name in names)])


# The kit's Voilà (widgets/site/app.py: home redirect, /healthz, compression), run as a
# package's __main__ so that the kernel fork server does not re-import it.
APP_MODULE = "widgets.site"


def config_dir(mode: str) -> Path:
    """The folder holding ``voila.py`` for ``mode``."""
    return CONFIG_ROOT / mode


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def build_launch(
    mode: str,
    *,
    port: int | None = None,
    ip: str | None = None,
    root_dir: Path | str | None = None,
    data_dir: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
    extra_args: Sequence[str] = (),
) -> LaunchSpec:
    """Return the ``voila`` argv and environment for ``mode``; nothing is started.

    ``port``, ``ip`` and ``root_dir`` override the mode's configuration file. The data
    folder is ``data_dir``, else ``$NEUGUONG_DATA``, else ``var/`` at the repo root; it is
    created if missing and must not lie inside the served root.
    """
    if mode not in MODES:
        raise LaunchError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
    env = dict(os.environ if environ is None else environ)
    conf = config_dir(mode)
    if not (conf / "voila.py").is_file():
        raise LaunchError(f"missing configuration file {conf / 'voila.py'}")
    if mode == "trainer" and len(env.get(TOKEN_ENV, "")) < MIN_TOKEN_LENGTH:
        raise LaunchError(
            f"the trainer site needs a token: set {TOKEN_ENV} (at least {MIN_TOKEN_LENGTH} characters)"
        )

    root = Path(root_dir).resolve() if root_dir else ROOTS[mode].resolve()
    data = Path(data_dir or env.get(DATA_ENV) or DEFAULT_DATA).resolve()
    if _inside(data, root) or _inside(root, data):
        raise LaunchError(f"data folder {data} must not be inside or around the served {root}")
    if not root.is_dir():
        raise LaunchError(f"served folder {root} does not exist")
    data.mkdir(parents=True, exist_ok=True)

    jupyter_path = [str(SHARE_JUPYTER), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(jupyter_path))
    env[DATA_ENV] = str(data)
    env[MODE_ENV] = mode
    # A broken configuration file must stop Voilà, not be skipped with a logged error.
    env["TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR"] = "1"
    env.setdefault("PYTHONUNBUFFERED", "1")

    argv = [
        sys.executable,
        "-m",
        APP_MODULE,
        f"--Voila.config_file_paths={conf}",
        "--no-browser",
    ]
    if root_dir:
        argv.append(f"--Voila.root_dir={root}")
    if port is not None:
        argv.append(f"--Voila.port={int(port)}")
    if ip:
        argv.append(f"--Voila.ip={ip}")
        # Preheated kernels fetch their request through ws://VOILA_APP_IP:<port>/voila/query.
        if ip not in ("0.0.0.0", "::", "localhost"):
            env["VOILA_APP_IP"] = f"[{ip}]" if ":" in ip else ip
    argv.extend(extra_args)
    return LaunchSpec(mode, tuple(argv), env, root, data, conf)


def run(spec: LaunchSpec) -> NoReturn:
    """Replace this process with Voilà."""
    os.execvpe(spec.argv[0], list(spec.argv), spec.env)


class LaunchOptions(TypedDict, total=False):
    """The keyword arguments of :func:`build_launch`."""

    port: int | None
    ip: str | None
    root_dir: Path | str | None
    data_dir: Path | str | None
    environ: Mapping[str, str] | None
    extra_args: Sequence[str]


def serve(mode: str, **options: Unpack[LaunchOptions]) -> NoReturn:
    """Build the launch for ``mode`` (see :func:`build_launch`) and run it."""
    run(build_launch(mode, **options))
