"""Where the records live: the database URL and the data folder (outside what Voila serves)."""

from __future__ import annotations

import os
from pathlib import Path

from widgets import resources

DB_URL_ENV = "NEUGUONG_DB_URL"
DATA_ENV = "NEUGUONG_DATA"
REPO_ROOT = resources.kit_root()
"""The checkout, or the installed wheel's data folder (see :mod:`widgets.resources`)."""
DB_FILE = "records.sqlite"


def data_dir(create: bool = True) -> Path:
    """``$NEUGUONG_DATA``, else ``<repo>/var`` (an installed wheel: the user's data folder, see
    :func:`widgets.resources.default_data_dir`); created private (0700) when missing."""
    path = Path(os.environ.get(DATA_ENV) or resources.default_data_dir()).expanduser()
    if create and not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def database_url(data: Path | None = None) -> str:
    """``$NEUGUONG_DB_URL``, else the SQLite file ``<data>/records.sqlite``."""
    url = os.environ.get(DB_URL_ENV, "").strip()
    if url:
        return url
    return sqlite_url((data or data_dir()) / DB_FILE)


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{Path(path).resolve()}"
