"""Hatchling build hook: the course, the notebooks, ``deploy/`` and the Voilà template in the wheel.

The top-level folders stay where they are in the repository. A standard wheel (``pip install .``)
gets copies of them, mapped in ``pyproject.toml`` (``[tool.hatch.build.targets.wheel.hooks.custom]``):

* ``package-data``: folders copied into the ``widgets`` package (``widgets/_data/...``), which
  :mod:`widgets.resources` reads when the kit is not run from a checkout;
* ``shared-data``: folders installed under the environment's prefix, as the wheel's
  ``<name>.data/data`` (the Voilà template goes to ``share/jupyter/voila/templates/neuguong``,
  where Jupyter looks for templates).

An editable install (``pip install -e .``, what ``make`` does) gets neither: it reads the checkout
in place, so no stale copy can shadow a file being edited.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SKIPPED_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache"})
SKIPPED_SUFFIXES = frozenset({".pyc", ".pyo", ".sqlite", ".sqlite-wal", ".sqlite-shm", ".db"})


def _files(folder: Path) -> Iterator[Path]:
    """Every file under ``folder`` (relative), without caches, checkpoints or databases."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} does not exist: it is part of the repository")
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        skipped = SKIPPED_DIRS.intersection(relative.parts) or path.suffix in SKIPPED_SUFFIXES
        if path.is_file() and not skipped and not path.name.startswith("."):
            yield relative


class KitDataHook(BuildHookInterface):
    """Adds the mapped folders to a standard wheel (see the module docstring)."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for key, into in (("package-data", "force_include"), ("shared-data", "shared_data")):
            for source, target in self.config.get(key, {}).items():
                for relative in _files(root / source):
                    build_data[into][str(root / source / relative)] = f"{target}/{relative.as_posix()}"
