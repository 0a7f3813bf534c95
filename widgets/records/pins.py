"""Learner PINs: at least 6 digits, stored only as ``hashlib.scrypt`` output with a salt of
their own, and a progressive lockout after wrong tries. Pure functions (no database).

The cost ``n=2**15, r=8, p=1`` (32 MiB) takes about 70-100 ms on the 2-core machine this kit
was measured on: slow enough that a stolen database does not give up 6-digit PINs cheaply
offline (10^6 guesses ≈ a day of one core per learner), fast enough for a sign-in.
The parameters are stored with each hash, so they can be raised later without a reset.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import timedelta

from widgets.i18n import t
from widgets.records.errors import SignInError

PIN_MIN = 6
PIN_MAX = 12
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MAX_TRIES = 5
"""Wrong PINs in a row before the learner is locked out."""
LOCK_BASE = timedelta(minutes=15)
"""The first lockout; each further one in a row doubles it (15, 30, 60 … minutes, at most 16 h)."""
_MAX_DOUBLINGS = 6


def params_text(n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    return f"scrypt:{n}:{r}:{p}"


def normalise_pin(value: object, field: str = "pin") -> str:
    """The PIN as typed: digits only (full-width digits read as ASCII), 6 to 12 of them."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise SignInError(t("signin.error.pin_not_digits"), field)
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise SignInError(t("signin.error.pin_empty"), field)
    if not text.isascii() or not text.isdigit():
        raise SignInError(t("signin.error.pin_chars"), field)
    if len(text) < PIN_MIN:
        raise SignInError(t("signin.error.pin_short", least=PIN_MIN), field)
    if len(text) > PIN_MAX:
        raise SignInError(t("signin.error.pin_long", most=PIN_MAX), field)
    return text


def hash_pin(pin: str, salt: bytes | None = None, params: str | None = None) -> tuple[str, str, str]:
    """``(hash hex, salt hex, params)`` of a normalised PIN (a new random salt by default)."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    params = params or params_text()
    return _scrypt(pin, salt, params).hex(), salt.hex(), params


def check_pin(pin: str, pin_hash: str, pin_salt: str, params: str) -> bool:
    """Whether ``pin`` is the PIN behind the stored hash (constant-time comparison)."""
    try:
        digest = _scrypt(pin, bytes.fromhex(pin_salt), params)
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), pin_hash)


def lock_duration(lockouts_before: int) -> timedelta:
    """How long the next lockout lasts after ``lockouts_before`` lockouts in a row."""
    return LOCK_BASE * (1 << min(max(lockouts_before, 0), _MAX_DOUBLINGS))  # 2**n, as an int (not int ** int)


def _scrypt(pin: str, salt: bytes, params: str) -> bytes:
    name, n, r, p = params.split(":")
    if name != "scrypt":
        raise ValueError(f"unknown PIN hash {name!r}")
    n_, r_, p_ = int(n), int(r), int(p)
    return hashlib.scrypt(
        pin.encode("ascii"),
        salt=salt,
        n=n_,
        r=r_,
        p=p_,
        maxmem=2 * 128 * r_ * n_ * p_ + 2**20,
        dklen=HASH_BYTES,
    )
