"""Certificate verification codes: an HMAC-SHA256 tag under a per-installation secret.

A code ``NG-XXXX-XXXX`` is the first 40 bits of ``HMAC-SHA256(secret, payload)`` written in
Crockford base32, where the payload is the certificate's canonical fields (its ID, the
learner ID, name, unit, score and issue time). Whoever holds the code checks it offline with
``neuguong verify CODE``: the installation finds the certificate by its code and recomputes
the tag; a mistyped or invented code is not found, and a code from another installation
(another secret) or a certificate edited in the database does not match.

The secret is 32 random bytes in ``<data>/certificate-secret`` (hex), created with mode 0600
on first use; losing it makes the issued codes unverifiable, so back it up with the data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path

from widgets.i18n import t
from widgets.records import secret_files
from widgets.records.errors import CodeFormatError

SECRET_FILE = "certificate-secret"
PREFIX = "NG"
CODE_CHARS = 8
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: no I, L, O or U."""
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def secret_path(data: Path) -> Path:
    return Path(data) / SECRET_FILE


def load_secret(data: Path, *, create: bool = True) -> bytes:
    """The installation's secret, created (0600, atomically) on first use.

    With ``create=False`` a missing secret raises :class:`FileNotFoundError`.
    """
    return secret_files.load_secret(secret_path(data), t("records.secret.certificates"), create=create)


def payload(fields: Mapping[str, object]) -> bytes:
    """Canonical bytes of the certificate fields the code vouches for."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def make_code(secret: bytes, message: bytes) -> str:
    """``NG-XXXX-XXXX``: the first 40 bits of the HMAC in Crockford base32."""
    tag = int.from_bytes(hmac.new(secret, message, hashlib.sha256).digest()[:5], "big")
    chars = "".join(ALPHABET[(tag >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"


def check_code(secret: bytes, message: bytes, code: str) -> bool:
    """Whether ``code`` is the tag of ``message`` under ``secret`` (constant-time)."""
    return hmac.compare_digest(make_code(secret, message), normalise_code(code))


def normalise_code(text: str) -> str:
    """Canonical form of a typed code: case, spaces, dashes and O/I/L look-alikes forgiven."""
    if not isinstance(text, str):
        raise CodeFormatError(t("records.certificates.code_not_text"))
    chars = "".join(text.split()).replace("-", "").upper()
    if chars.startswith(PREFIX) and len(chars) == len(PREFIX) + CODE_CHARS:
        chars = chars[len(PREFIX) :]
    chars = "".join(_READ_AS.get(char, char) for char in chars)
    if len(chars) != CODE_CHARS or any(char not in ALPHABET for char in chars):
        raise CodeFormatError(t("records.certificates.code_shape", code=text[:40]))
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"
