"""Certificates over the records: issue one to a learner who passed the final, sign it with
this installation's key, and verify a code (its HMAC, or a trusted key's signature). Called by
:class:`widgets.records.store.Store`; the code and key files are
:mod:`widgets.records.certificates` and :mod:`widgets.records.signing`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.i18n import t
from widgets.records import certificates as certs
from widgets.records import db, policy, queries, rows, signing
from widgets.records.errors import CertificateError, CodeFormatError, RecordsError
from widgets.records.models import Certificate, Verification
from widgets.records.queries import QUIZ
from widgets.records.schema import (
    attempts,
    certificate_signatures,
    certificates,
    learner_aliases,
    signing_keys,
)


def issue(engine: Engine, data: Path, clock: Callable[[], datetime], learner_id: str) -> Certificate:
    """:meth:`widgets.records.store.Store.issue_certificate`."""
    secret = certs.load_secret(data)
    key = signing.load_key(data)
    now = clock().astimezone(UTC)

    def run(conn: Connection) -> Certificate:
        existing = queries.certificate_row(conn, learner_id)
        if existing is not None:
            return rows.certificate(existing)
        learner = queries.learner_row(conn, learner_id, lock=True)
        finals = conn.execute(
            sa.select(attempts).where(
                attempts.c.learner_id == learner_id,
                attempts.c.kind == QUIZ,
                attempts.c.activity_id == policy.FINAL_ID,
            )
        ).all()
        best = policy.counted_attempt(rows.attempt(row) for row in finals)
        if best is None or not best.passed or best.percent is None:
            raise CertificateError(t("records.certificates.not_passed"))
        for _ in range(10):  # a new ID (and code) if the 40-bit code ever collides
            draft = Certificate(
                id=str(uuid.uuid4()),
                learner_id=learner_id,
                code="",
                full_name=learner.full_name,
                unit=learner.unit,
                role=learner.role,
                score_percent=round(best.percent, 4),
                attempt_id=best.id,
                issued_at=now,
            )
            code = certs.make_code(secret, certs.payload(draft.fields()))
            values = {**draft.fields(), "code": code, "issued_at": now}
            if db.insert_ignore(conn, certificates, values):
                sign(conn, secret, key, {**draft.fields(), "code": code}, now)
            # Ours if just inserted; else another process's (or None: the code collided).
            existing = queries.certificate_row(conn, learner_id)
            if existing is not None:
                return rows.certificate(existing)
        raise RecordsError(t("records.certificates.no_code"))

    return db.write(engine, run)


def sign(
    conn: Connection, secret: bytes, key: signing.SigningKey, fields: Mapping[str, object], now: datetime
) -> None:
    """Sign a new certificate with this installation's key (recorded as ``own``)."""
    own = {
        "key_id": key.id,
        "public_key": key.public_text,
        "origin": signing.OWN,
        "label": t("records.signing.own_label"),
        "added_at": now,
        "seal": signing.seal(secret, key.id, key.public_text, signing.OWN),
    }
    db.insert_ignore(conn, signing_keys, own)
    signature = {"certificate_id": fields["id"], "key_id": key.id, "signature": key.sign(fields)}
    db.insert_ignore(conn, certificate_signatures, signature)


def verify(engine: Engine, data: Path, code: str) -> Verification:
    """:meth:`widgets.records.store.Store.verify_certificate`."""
    try:
        code = certs.normalise_code(code)
    except CodeFormatError as exc:
        return Verification(False, exc.message)
    query = sa.select(certificates).where(certificates.c.code == code)
    row = db.read(engine, lambda conn: conn.execute(query).first())
    if row is None:
        return Verification(False, t("records.certificates.verify.unknown", code=code))
    cert = rows.certificate(row)
    if not (_code_matches(engine, data, cert, code) or _signature_holds(engine, data, cert)):
        return Verification(
            False,
            t("records.certificates.verify.mismatch", code=code),
        )
    local = cert.issued_at.astimezone(policy.COURSE_TZ)
    return Verification(
        True,
        t(
            "records.certificates.verify.valid",
            code=code,
            full_name=cert.full_name,
            unit=cert.unit,
            local=local,
            score_percent=cert.score_percent,
        ),
        cert,
    )


def sign_issued(engine: Engine, data: Path, clock: Callable[[], datetime]) -> int:
    """:meth:`widgets.records.store.Store.sign_issued_certificates`."""
    query = sa.select(certificates).where(
        ~sa.exists().where(certificate_signatures.c.certificate_id == certificates.c.id)
    )
    unsigned = [rows.certificate(row) for row in db.read(engine, lambda c: c.execute(query).all())]
    mine = [cert for cert in unsigned if _code_matches(engine, data, cert, cert.code)]
    if not mine:
        return 0
    secret = certs.load_secret(data)
    key = signing.load_key(data)
    now = clock()

    def run(conn: Connection) -> None:
        for cert in mine:
            sign(conn, secret, key, {**cert.fields(), "code": cert.code}, now)

    db.write(engine, run)
    return len(mine)


def _code_matches(engine: Engine, data: Path, cert: Certificate, code: str) -> bool:
    """The code is this installation's HMAC of the certificate (it issued it)."""
    try:
        secret = certs.load_secret(data, create=False)
    except FileNotFoundError:
        return False
    return any(certs.check_code(secret, certs.payload(f), code) for f in _signed_fields(engine, cert))


def _signature_holds(engine: Engine, data: Path, cert: Certificate) -> bool:
    """The certificate carries a valid Ed25519 signature by a key this installation trusts
    and has not revoked (its own, or a kiosk's: see :mod:`widgets.records.signing`)."""
    try:
        secret = certs.load_secret(data, create=False)
    except FileNotFoundError:
        return False
    query = (
        sa.select(certificate_signatures.c.signature, signing_keys)
        .join(signing_keys, signing_keys.c.key_id == certificate_signatures.c.key_id)
        .where(certificate_signatures.c.certificate_id == cert.id, signing_keys.c.revoked_at.is_(None))
    )
    found = db.read(engine, lambda conn: conn.execute(query).first())
    if found is None or not signing.sealed(secret, found):
        return False
    public = signing.decode_public(found.public_key)
    return signing.check(public, {**cert.fields(), "code": cert.code}, found.signature)


def _signed_fields(engine: Engine, cert: Certificate) -> list[dict[str, str | float]]:
    """The fields a code may have been made over: as stored, and with each ID the learner
    had before migration 6 re-keyed it (certificates issued before keep their codes)."""
    query = sa.select(learner_aliases.c.alias_id).where(learner_aliases.c.learner_id == cert.learner_id)
    aliases = db.read(engine, lambda conn: conn.execute(query).scalars().all())
    fields = cert.fields()
    return [fields, *({**fields, "learner_id": alias} for alias in aliases)]
