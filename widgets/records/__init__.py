"""Learner records: sign-in, answers, progress, pledge and certificates (no ipywidgets).

``open_store()`` gives the :class:`Store` for the configured database (SQLite in the data
folder by default, PostgreSQL by ``NEUGUONG_DB_URL``); see :mod:`widgets.records.store`.
"""

from __future__ import annotations

from widgets.engine.progress import ModuleState, Requirement, requirements_for
from widgets.records.errors import (
    AttemptLimitError,
    CertificateError,
    CodeFormatError,
    NotFoundError,
    RecordsError,
    SchemaTooNewError,
    SignInError,
    StoreBusyError,
)
from widgets.records.identity import ROLES, validate_sign_in
from widgets.records.models import (
    AttemptSummary,
    Certificate,
    FinalStatus,
    Learner,
    OpenAttempt,
    Pledge,
    Progress,
    StoredAnswer,
    StoredChoice,
    Verification,
)
from widgets.records.store import Store, open_store

__all__ = [
    "ROLES",
    "AttemptLimitError",
    "AttemptSummary",
    "Certificate",
    "CertificateError",
    "CodeFormatError",
    "FinalStatus",
    "Learner",
    "ModuleState",
    "NotFoundError",
    "OpenAttempt",
    "Pledge",
    "Progress",
    "RecordsError",
    "Requirement",
    "SchemaTooNewError",
    "SignInError",
    "Store",
    "StoreBusyError",
    "StoredAnswer",
    "StoredChoice",
    "Verification",
    "open_store",
    "requirements_for",
    "validate_sign_in",
]
