"""Certificates signed with Ed25519, so that one installation can check another's.

Why
---
A certificate's code (:mod:`widgets.records.certificates`) is an HMAC under the issuing
installation's secret: only that installation can check it. Offline kiosks issue
certificates too, and their records reach the trainer's installation by xAPI export and
import; there the code cannot be checked, and a certificate issued at a kiosk reported "not
issued here". Sharing the HMAC secret with every kiosk would let whoever copies one kiosk's
data folder forge certificates that every installation accepts, with no way to tell which
kiosk leaked or to withdraw trust from it alone.

So every installation (the trainer's site and each kiosk) has its own Ed25519 key pair
(``cryptography``). The private key never leaves ``<data>/signing-key`` (hex, mode 0600,
created on first use). Each certificate is signed at issue: the signature covers the
certificate's ID, code, name, unit, role, score, final attempt and issue time (not the
learner ID, which a migration or a merge may re-key). The signature and the public key go
with the certificate in the xAPI export; the private key never does.

How an installation trusts a kiosk's key
----------------------------------------
Keys are named by their fingerprint (the first 16 hex digits of SHA-256 of the raw public
key) and kept in ``signing_keys`` with their origin:

* ``own`` -- this installation's key, recorded the first time it signs;
* ``pinned`` -- a key the trainer entered on purpose (``neuguong records keys --trust``
  with the key a kiosk prints with ``neuguong records keys --own``, e.g. at kiosk set-up);
* ``import`` -- trust on first import: the first ``records import`` that brings a
  certificate signed by an unknown key records that key, with the file it came from and
  the time, and the import report says so. The trainer chose to import that file from
  their kiosk, so that is the trainer vouching for the key, and it is written down.

Each trusted key's row is sealed with an HMAC under this installation's certificate secret
(``<data>/certificate-secret``, never in the database), so that write access to the database
alone cannot add a trusted key (nor forge a certificate with one): a row whose seal does not
match is ignored. A key, once recorded, is never replaced: a later file that claims the same fingerprint with
another public key is refused (a fingerprint is a hash of the key). ``--revoke`` marks a key
withdrawn (a stolen kiosk): its certificates then verify as not valid, everyone else's still
do. Trust on first import is the weak point (a forged file imported first would be trusted);
a province that wants more pins each kiosk's key at set-up and imports only pinned keys
(``records import --pinned-only``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses as dc
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy.engine import Connection

from widgets.i18n import t
from widgets.records import db
from widgets.records.errors import RecordsError
from widgets.records.schema import signing_keys

KEY_FILE = "signing-key"
OWN, PINNED, IMPORTED = "own", "pinned", "import"
ORIGINS = (OWN, PINNED, IMPORTED)
KEY_ID_CHARS = 16
SIGNED_FIELDS = ("id", "code", "full_name", "unit", "role", "score_percent", "attempt_id", "issued_at")
"""What a signature covers (the learner ID is left out: migrations and merges re-key it)."""


class SigningKeyError(RecordsError):
    """A public key or signature that cannot be used (the message is Vietnamese)."""


def key_id(public: bytes) -> str:
    """A key's fingerprint: the first 16 hex digits of SHA-256 of the raw 32-byte key."""
    return hashlib.sha256(public).hexdigest()[:KEY_ID_CHARS]


def encode(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def decode_public(text: object) -> bytes:
    """A raw Ed25519 public key from its base64 text; :class:`SigningKeyError` if it is not one."""
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise SigningKeyError(t("records.signing.bad_public_key"))
    return raw


class SigningKey:
    """This installation's key pair."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.id = key_id(self.public)

    @property
    def public_text(self) -> str:
        return encode(self.public)

    def sign(self, fields: Mapping[str, object]) -> str:
        """The base64 signature of a certificate's fields (:func:`message`)."""
        return encode(self._private.sign(message(fields)))


def message(fields: Mapping[str, object]) -> bytes:
    """The canonical bytes a signature covers: :data:`SIGNED_FIELDS` of ``fields`` as JSON."""
    chosen = {name: fields[name] for name in SIGNED_FIELDS}
    return json.dumps(chosen, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def check(public: bytes, fields: Mapping[str, object], signature: str) -> bool:
    """Whether ``signature`` is the key's signature of ``fields``."""
    try:
        raw = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(public).verify(raw, message(fields))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def seal(secret: bytes, key_id: str, public_key: str, origin: str) -> str:
    """The HMAC that binds a trusted key's row to this installation's secret."""
    text = json.dumps([key_id, public_key, origin], separators=(",", ":")).encode()
    return hmac.new(secret, b"neuguong-signing-key\x00" + text, hashlib.sha256).hexdigest()


class SealedRow(Protocol):
    """A ``signing_keys`` row, as far as its seal is concerned."""

    key_id: str
    public_key: str
    origin: str
    seal: str | None


def sealed(secret: bytes, row: SealedRow) -> bool:
    """Whether a ``signing_keys`` row carries this installation's seal."""
    return hmac.compare_digest(seal(secret, row.key_id, row.public_key, row.origin), row.seal or "")


def key_path(data: Path) -> Path:
    return Path(data) / KEY_FILE


def load_key(data: Path) -> SigningKey:
    """The installation's signing key, created (0600, atomically) on first use."""
    path = key_path(data)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: its key stays
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    try:
        seed = bytes.fromhex(path.read_text(encoding="ascii").strip())
        return SigningKey(Ed25519PrivateKey.from_private_bytes(seed))
    except ValueError:
        raise RecordsError(t("records.signing.key_file_damaged", path=path)) from None


# ------------------------------------------------------------------------ trusted keys


@dc.dataclass(frozen=True, slots=True)
class TrustedKey:
    key_id: str
    public_key: str
    origin: str
    label: str
    added_at: datetime
    revoked_at: datetime | None
    sealed: bool
    """The row carries this installation's seal (else it is ignored when verifying)."""


def trust_key(
    conn: Connection, secret: bytes, public_text: object, *, origin: str, label: str, now: datetime
) -> tuple[str, bool]:
    """Record ``public_text`` (base64 Ed25519) as trusted, sealed under ``secret``.

    Returns ``(key_id, added)``; a key already recorded is left as it is (``added`` False).
    Raises :class:`SigningKeyError` for a malformed key, an unknown origin, or a fingerprint
    already recorded with another key.
    """
    if origin not in ORIGINS:
        raise SigningKeyError(t("records.signing.bad_origin", origin=origin))
    public = decode_public(public_text)
    text = encode(public)
    kid = key_id(public)
    existing = conn.execute(sa.select(signing_keys).where(signing_keys.c.key_id == kid)).first()
    if existing is not None:
        if existing.public_key != text:
            raise SigningKeyError(t("records.signing.kid_taken", kid=kid))
        return kid, False
    row = {
        "key_id": kid,
        "public_key": text,
        "origin": origin,
        "label": " ".join(str(label).split())[:200] or kid,
        "added_at": now,
        "revoked_at": None,
        "seal": seal(secret, kid, text, origin),
    }
    return kid, db.insert_ignore(conn, signing_keys, row)


def revoke_key(conn: Connection, kid: str, now: datetime) -> bool:
    """Withdraw trust from a key: its certificates verify as not valid from now on."""
    done = conn.execute(
        signing_keys.update()
        .where(signing_keys.c.key_id == kid, signing_keys.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(done.rowcount)


def trusted_keys(conn: Connection, secret: bytes | None) -> list[TrustedKey]:
    """Every recorded key, oldest first, with whether its seal holds under ``secret``."""
    found = conn.execute(sa.select(signing_keys).order_by(signing_keys.c.added_at, signing_keys.c.key_id))
    return [
        TrustedKey(
            row.key_id,
            row.public_key,
            row.origin,
            row.label,
            row.added_at,
            row.revoked_at,
            secret is not None and sealed(secret, row),
        )
        for row in found
    ]
