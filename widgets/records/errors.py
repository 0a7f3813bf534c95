"""Errors the records layer raises; each carries a Vietnamese message fit to show a learner."""

from __future__ import annotations


class RecordsError(Exception):
    """Base of every records error; ``str(error)`` is a Vietnamese message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignInError(RecordsError, ValueError):
    """Sign-in input refused; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AttemptLimitError(RecordsError):
    """No more final-assessment attempts today."""


class AttemptConflictError(RecordsError):
    """An attempt ID already recorded for another learner or another activity."""


class CertificateError(RecordsError):
    """A certificate cannot be issued yet (the final assessment is not passed)."""


class CodeFormatError(RecordsError, ValueError):
    """Text that cannot be a certificate code."""


class NotFoundError(RecordsError, LookupError):
    """No such learner or attempt."""


class StoreBusyError(RecordsError):
    """The database stayed busy through every retry."""


class SchemaTooNewError(RecordsError):
    """The database was written by a newer version of the kit."""


class PinLockedError(SignInError):
    """Too many wrong PINs: sign-in is refused until ``until`` (kept in the database)."""

    def __init__(self, message: str, until: object = None) -> None:
        super().__init__(message, "pin")
        self.until = until


class SessionRefusedError(RecordsError):
    """A page address that names a learner, or a session token that is ended, expired or unknown."""
