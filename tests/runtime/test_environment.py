"""What the environment says about where a kernel runs (``widgets/runtime/lab.py``, ``mode.py``,
``kiosk.py``, ``hub.py``), and the Voilà internals it relies on.

``in_voila`` tells a page's kernel from a notebook in JupyterLab by the variables Voilà sets in
every kernel it starts (``widgets.runtime.lab.VOILA_ENV``): were Voilà to stop setting them, the
learner site's kernels would take themselves for JupyterLab and share one remembered session.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from pathlib import Path

from voila import handler, voila_kernel_manager
from voila.utils import ENV_VARIABLE

from widgets.runtime import hub, kiosk, lab
from widgets.runtime.mode import MODE_ENV
from widgets.site import launch


def changed(what: str) -> str:
    return (
        f"voila {version('voila')} changed {what}, which widgets/runtime/lab.py (in_voila) relies on: "
        "adapt the shim before raising voila's upper pin in pyproject.toml"
    )


def test_voila_still_names_the_variables_in_voila_looks_for() -> None:
    for name in lab.VOILA_ENV:
        assert name in ENV_VARIABLE.__members__, changed(f"voila.utils.ENV_VARIABLE (no {name})")


def test_voila_sets_them_in_every_kernel_it_starts() -> None:
    """A page's kernel started on request (``VoilaHandler``) and a preheated one
    (``voila_kernel_manager``) both get ``VOILA_BASE_URL``, ``VOILA_SERVER_URL`` and
    ``VOILA_PREHEAT`` in their environment."""
    for module in (handler, voila_kernel_manager):
        source = inspect.getsource(module)
        for name in ("VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_PREHEAT"):
            assert f"kernel_env[ENV_VARIABLE.{name}]" in source, changed(
                f"{module.__name__}: the kernel environment's {name}"
            )
    assert any(name in lab.VOILA_ENV for name in ("VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_PREHEAT"))


def test_a_voila_kernel_and_a_lab_kernel_are_told_apart() -> None:
    assert lab.in_voila({"VOILA_KERNEL_ID": "k"})
    assert lab.in_voila({"VOILA_PREHEAT": "False", "VOILA_BASE_URL": "/"})
    assert not lab.in_voila({"JPY_SESSION_NAME": "home.ipynb"})


def test_one_name_for_the_site_mode_from_the_launcher_to_the_kernels(tmp_path: Path) -> None:
    """The launcher sets ``NEUGUONG_SITE_MODE`` in the server's environment; the kernels'
    kiosk and Hub checks read the same variable."""
    spec = launch.build_launch("kiosk", environ={}, data_dir=str(tmp_path))
    assert spec.env[MODE_ENV] == "kiosk"
    assert kiosk.is_kiosk(spec.env)
    assert hub.read_hub_user({**spec.env, hub.HUB_USER_ENV: "an"}) is None
    assert hub.read_hub_user({MODE_ENV: "learner", hub.HUB_USER_ENV: "an"}) == "an"
