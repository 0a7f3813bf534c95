"""A parsed course kept on disk between kernels.

Voilà starts a new kernel for every page, so without this each page would parse and validate
the whole course again (about 1.5 s on a 2-core office PC). The course is pickled under the
user's cache folder, keyed by the content files' names, sizes and times, by the kit's
version, the model's fields and the parsing code; any change, or any problem reading the file,
falls back to parsing.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

from widgets import __version__
from widgets.content import model
from widgets.content.model import Course

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


def cache_dir() -> Path:
    """``$NEUGUONG_CACHE``, else ``$XDG_CACHE_HOME/neuguong``, else ``~/.cache/neuguong``."""
    configured = os.environ.get("NEUGUONG_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "neuguong"


@functools.cache
def model_shape() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every model class with its fields: a pickle from a kit whose model had other fields
    (same version number, e.g. a working tree) is never read back."""
    classes = (c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c))
    return tuple(sorted((c.__name__, tuple(f.name for f in dataclasses.fields(c))) for c in classes))


@functools.cache
def parser_digest() -> str:
    """A digest of the code that builds the course (``widgets/content/*.py``): a pickle made by
    other parsing code (same fields, e.g. the final's pool built differently) is never read."""
    digest = hashlib.sha256()
    for path in sorted(Path(model.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_file(root: Path, fingerprint: Fingerprint) -> Path:
    shape = (__version__, model_shape(), parser_digest(), str(root), fingerprint)
    key = hashlib.sha256(repr(shape).encode()).hexdigest()[:32]
    return cache_dir() / f"course-{key}.pickle"


def read_cached(root: Path, fingerprint: Fingerprint) -> Course | None:
    """The course pickled for exactly this content, or ``None``."""
    path = cache_file(root, fingerprint)
    try:
        with path.open("rb") as handle:
            course = pickle.load(handle)  # our own file, in the user's own cache folder
    except FileNotFoundError:
        return None
    except Exception as error:  # a truncated or foreign file: parse instead
        log.warning("ignoring course cache %s: %s", path, error)
        return None
    return course if isinstance(course, Course) else None


def write_cached(root: Path, fingerprint: Fingerprint, course: Course) -> None:
    """Store the course atomically (a concurrent reader sees the old file or the new one)."""
    path = cache_file(root, fingerprint)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as handle:
            pickle.dump(course, handle, protocol=pickle.HIGHEST_PROTOCOL)
        Path(handle.name).replace(path)
    except OSError as error:  # a read-only home: the cache is only an optimisation
        log.warning("cannot write course cache %s: %s", path, error)
