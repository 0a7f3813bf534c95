"""A TrueType font with every Vietnamese glyph: DejaVu Sans, from matplotlib or Debian."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
SYSTEM_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class FontNotFoundError(RuntimeError):
    """No DejaVu Sans on this machine (install matplotlib, or Debian's fonts-dejavu-core)."""


def _matplotlib_dir() -> Path | None:
    """matplotlib's bundled fonts (``get_data_path()/fonts/ttf``), never importing pyplot.

    The package's usual layout is checked first, since importing matplotlib takes ~0.5 s.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return None
    usual = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
    if usual.is_dir():
        return usual
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def font_dirs() -> tuple[Path, ...]:
    """Where to look, in order."""
    found = _matplotlib_dir()
    return (found, *SYSTEM_DIRS) if found is not None else SYSTEM_DIRS


@functools.cache
def font_path(name: str = REGULAR) -> Path:
    """The first ``name`` found in :func:`font_dirs`; :class:`FontNotFoundError` if none."""
    for folder in font_dirs():
        path = folder / name
        if path.is_file():
            return path
    searched = ", ".join(str(folder) for folder in font_dirs())
    raise FontNotFoundError(f"{name} not found in {searched}")
