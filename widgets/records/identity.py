"""Sign-in input: validate and normalise what a learner types, with Vietnamese messages.

Every text is NFC-normalised, trimmed and its runs of whitespace collapsed to one space.
Control and invisible formatting characters are refused, never silently dropped. A name
keeps only letters, combining marks, spaces and ``' ’ - .`` (so ``<script>``, SQL
fragments, digits and emoji are refused, and the certificate font can draw every name);
a unit may hold any visible text but emoji and pictographs, and is stored as typed.

A learner's ID is keyed: the first 128 bits of ``HMAC-SHA256(installation secret, staff code
or normalised name + unit)``, written as a UUID (version 8). Kiosks that share the
installation's secret (``neuguong secret export``/``import``) agree on every learner's ID so
that their records merge, and nobody without the secret can work out a colleague's ID from
their name. The secret is 32 random bytes in ``<data>/identity-secret`` (hex, mode 0600),
created on first use; the IDs of version 5 and earlier (a public ``uuid5``) are kept only as
aliases of the new ones (:func:`legacy_learner_id`).
"""

from __future__ import annotations

import dataclasses as dc
import hashlib
import hmac
import re
import unicodedata
import uuid
from pathlib import Path

from widgets.i18n import t
from widgets.records import secret_files
from widgets.records.errors import SignInError

NAME_MAX = 100
UNIT_MAX = 200
CODE_MAX = 32
PLEDGE_MAX = 2000

LEADER = "lãnh đạo"
STAFF = "cán bộ, công chức, viên chức"
ROLES = (LEADER, STAFF)
"""The two groups a learner signs in as (chức vụ/nhóm)."""

LEGACY_NAMESPACE = uuid.UUID("6f1d6c1e-4b7e-5d0a-9c51-1273b0c0a001")
"""The public namespace of the learner IDs before migration 6 (anyone could derive them)."""
SECRET_FILE = "identity-secret"

_NAME_PUNCT = frozenset("'’-.")
_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")
_SPACE_RE = re.compile(r"\s+")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@dc.dataclass(frozen=True, slots=True)
class SignIn:
    """Validated sign-in input."""

    name: str
    unit: str
    role: str
    staff_code: str | None = None

    @property
    def name_key(self) -> str:
        return identity_key(self.name)

    @property
    def unit_key(self) -> str:
        return identity_key(self.unit)

    def learner_id(self, secret: bytes) -> str:
        """The keyed learner ID: from the staff code if given, else name + unit."""
        return keyed_learner_id(secret, self.staff_code, self.name_key, self.unit_key)


def _identity_message(staff_code: str | None, name_key: str, unit_key: str) -> str:
    if staff_code:
        return f"code:{staff_code}"
    return f"name:{name_key}\x1f{unit_key}"


def keyed_learner_id(secret: bytes, staff_code: str | None, name_key: str, unit_key: str) -> str:
    """HMAC-SHA256 of the staff code (or name key + unit key) under ``secret``, as a UUID."""
    return _keyed_uuid(secret, _identity_message(staff_code, name_key, unit_key))


def hub_learner_id(secret: bytes, hub_user: str) -> str:
    """The keyed ID of a JupyterHub user (``hub:<name>``; never equal to a name or code ID)."""
    # The isinstance check guards untyped callers (a hub header may be missing).
    if not isinstance(hub_user, str) or not hub_user.strip():  # type: ignore[redundant-expr]
        raise ValueError("a JupyterHub user name is required")
    return _keyed_uuid(secret, f"hub:{unicodedata.normalize('NFC', hub_user.strip())}")


def _keyed_uuid(secret: bytes, text: str) -> str:
    if len(secret) < 16:
        raise ValueError("the identity secret must be at least 16 bytes")
    message = text.encode("utf-8")
    digest = bytearray(hmac.new(secret, message, hashlib.sha256).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80  # version 8 (custom)
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return str(uuid.UUID(bytes=bytes(digest)))


def legacy_learner_id(staff_code: str | None, name_key: str, unit_key: str) -> str:
    """The ID version 5 and earlier gave this learner (public ``uuid5``): migration only."""
    return str(uuid.uuid5(LEGACY_NAMESPACE, _identity_message(staff_code, name_key, unit_key)))


def secret_path(data: Path) -> Path:
    return Path(data) / SECRET_FILE


def load_secret(data: Path, *, create: bool = True) -> bytes:
    """The installation's identity secret, created (0600, atomically) on first use.

    With ``create=False`` a missing secret raises :class:`FileNotFoundError`.
    """
    return secret_files.load_secret(secret_path(data), t("records.secret.identity"), create=create)


def write_secret(data: Path, secret: bytes, *, replace: bool) -> Path:
    """Store ``secret`` (mode 0600); an existing secret is kept unless ``replace``."""
    return secret_files.write_secret(secret_path(data), secret, replace=replace)


def validate_sign_in(name: object, unit: object, role: object, staff_code: object = None) -> SignIn:
    """Return the normalised sign-in or raise :class:`SignInError` for the first bad field."""
    return SignIn(
        name=normalise_name(name),
        unit=normalise_unit(unit),
        role=normalise_role(role),
        staff_code=normalise_staff_code(staff_code),
    )


def clean_text(value: object, *, label: str, field: str, max_len: int) -> str:
    """NFC, whitespace collapsed and trimmed; refuse empty, invisible or too long text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise SignInError(t("signin.error.not_text", label=label), field)
    text = unicodedata.normalize("NFC", value)
    text = _SPACE_RE.sub(" ", text).strip()
    if not text:
        raise SignInError(t("signin.error.empty", label=label.lower()), field)
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise SignInError(
                t("signin.error.invisible", label=label, code=ord(char)),
                field,
            )
    if len(text) > max_len:
        raise SignInError(
            t("signin.error.too_long", label=label, count=len(text), max_len=max_len),
            field,
        )
    return text


def normalise_name(value: object) -> str:
    """Họ và tên: letters, marks, spaces and ``' ’ - .`` only, at most 100 characters."""
    text = clean_text(value, label=t("signin.error.label.name"), field="name", max_len=NAME_MAX)
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LM" or char == " " or char in _NAME_PUNCT:
            continue
        raise SignInError(
            t("signin.error.name_char", char=char),
            "name",
        )
    if not any(unicodedata.category(char)[0] == "L" for char in text):
        raise SignInError(t("signin.error.name_no_letter"), "name")
    return text


def normalise_unit(value: object) -> str:
    """Đơn vị: visible text without emoji or pictographs, at most 200 characters."""
    text = clean_text(value, label=t("signin.error.label.unit"), field="unit", max_len=UNIT_MAX)
    for char in text:
        if unicodedata.category(char) == "So":
            raise SignInError(
                t("signin.error.unit_symbol", char=char),
                "unit",
            )
    if not any(unicodedata.category(char)[0] in "LN" for char in text):
        raise SignInError(t("signin.error.unit_no_letter"), "unit")
    return text


def normalise_role(value: object) -> str:
    """Chức vụ/nhóm: one of :data:`ROLES` (case, commas and spacing ignored)."""
    text = clean_text(value, label=t("signin.error.label.role"), field="role", max_len=100)
    wanted = _role_key(text)
    for role in ROLES:
        if _role_key(role) == wanted:
            return role
    raise SignInError(t("signin.error.role"), "role")


def normalise_staff_code(value: object) -> str | None:
    """Mã cán bộ: optional; ASCII letters, digits and ``. _ / -``, upper-cased, ≤ 32 chars."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = clean_text(
        value, label=t("signin.error.label.staff_code"), field="staff_code", max_len=CODE_MAX
    ).upper()
    if not _CODE_RE.fullmatch(text):
        raise SignInError(
            t("signin.error.staff_code", most=CODE_MAX),
            "staff_code",
        )
    return text


def normalise_pledge(value: object) -> str:
    """Pledge text as shown to the learner: cleaned like any text, at most 2,000 chars."""
    return clean_text(value, label=t("signin.error.label.pledge"), field="pledge", max_len=PLEDGE_MAX)


def identity_key(text: str) -> str:
    """The key two spellings of one name share: NFC, collapsed spaces, case-folded."""
    text = _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return unicodedata.normalize("NFC", text.casefold())


def _role_key(text: str) -> str:
    return " ".join(identity_key(text).replace(",", " ").split())
