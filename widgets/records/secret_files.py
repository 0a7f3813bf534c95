"""An installation's secrets in its data folder: hex text, mode 0600, written atomically.

The identity secret (learner IDs) and the certificate secret (codes) are each one such file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from widgets.i18n import t
from widgets.records.errors import RecordsError

MIN_BYTES = 16
"""A shorter secret is refused when written and reported as damaged when read."""


def read_secret(path: Path, label: str) -> bytes:
    """The secret in ``path``; a damaged file raises :class:`RecordsError` naming ``label``."""
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < MIN_BYTES:
        raise RecordsError(t("records.secret.damaged", label=label, path=path))
    return secret


def write_secret(path: Path, secret: bytes, *, replace: bool) -> Path:
    """Store ``secret`` in ``path`` (0600, folder 0700); an existing one stays unless ``replace``."""
    if len(secret) < MIN_BYTES:
        raise ValueError(f"a secret must be at least {MIN_BYTES} bytes")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secret.hex() + "\n")
            out.flush()
            os.fsync(out.fileno())
        if replace:
            tmp.replace(path)
        else:  # link() never replaces: if another process won the race, its secret stays
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_secret(path: Path, label: str, *, create: bool = True) -> bytes:
    """The secret in ``path``, created (32 random bytes) on first use.

    With ``create=False`` a missing file raises :class:`FileNotFoundError`.
    """
    try:
        return read_secret(path, label)
    except FileNotFoundError:
        if not create:
            raise
    write_secret(path, secrets.token_bytes(32), replace=False)
    return read_secret(path, label)
