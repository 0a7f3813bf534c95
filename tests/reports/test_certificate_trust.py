"""A kiosk's certificate verifies on the trainer's installation once its records are imported
(the kiosk's Ed25519 signature, its key trusted on first import or pinned), and not otherwise:
a forged or edited certificate, a revoked key, a key row without this installation's seal."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from widgets.cli import main
from widgets.engine.results import AnswerResult, QuizResult
from widgets.records import certificates as certs
from widgets.records import db, signing
from widgets.records.identity import STAFF
from widgets.records.interchange.export import export_statements, iter_json_lines
from widgets.records.interchange.merge import import_lines
from widgets.records.models import Certificate
from widgets.records.policy import FINAL_ID
from widgets.records.schema import certificate_signatures, certificates, signing_keys
from widgets.records.store import Store

NAME, UNIT = "Lò Thị Thanh", "UBND huyện Mai Sơn"


def certified(store: Store, name: str = NAME, unit: str = UNIT) -> Certificate:
    learner = store.sign_in(name, unit, STAFF)
    attempt = store.start_attempt(learner.id, FINAL_ID, module_id="kiem-tra")
    answer = AnswerResult("q", "a", 1.0, 1.0, True, (), ())
    store.record_answer(learner.id, attempt.id, FINAL_ID, answer, module_id="kiem-tra")
    store.finish_quiz(learner.id, QuizResult(FINAL_ID, attempt.id, (answer,), 80), module_id="kiem-tra")
    store.record_pledge(learner.id, "Tôi cam kết.")
    return store.issue_certificate(learner.id)


def export_lines(store: Store) -> list[str]:
    return list(iter_json_lines(export_statements(store.engine, with_names=True)))


def merge(trainer: Store, lines: list[str], source: str = "kiosk-mai-son.jsonl", **options: object):
    secret = certs.load_secret(trainer.data)
    return import_lines(trainer.engine, lines, source, secret=secret, **options)  # type: ignore[arg-type]


def test_a_kiosks_certificate_verifies_after_its_records_are_imported(
    make_store: Callable[[str], Store],
) -> None:
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    cert = certified(kiosk)
    assert kiosk.verify_certificate(cert.code).valid
    assert not trainer.verify_certificate(cert.code).valid  # not imported yet
    report = merge(trainer, export_lines(kiosk))
    assert report.errors == []
    kiosk_key = signing.load_key(kiosk.data)
    assert report.new_keys == [kiosk_key.id]  # trusted on first import, and said so
    result = trainer.verify_certificate(cert.code)
    assert result.valid, result.message
    assert result.certificate is not None and result.certificate.full_name == NAME
    with trainer.engine.connect() as conn:
        [key] = signing.trusted_keys(conn, certs.load_secret(trainer.data))
    assert (key.key_id, key.origin, key.sealed) == (kiosk_key.id, signing.IMPORTED, True)
    assert "kiosk-mai-son.jsonl" in key.label
    assert not merge(trainer, export_lines(kiosk)).changed  # a second import changes nothing
    assert "signing-key" not in "".join(export_lines(kiosk)) and kiosk_key.public_text in "".join(
        export_lines(kiosk)
    )


def test_an_edited_or_forged_kiosk_certificate_is_refused(make_store: Callable[[str], Store]) -> None:
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    cert = certified(kiosk)
    lines = export_lines(kiosk)
    tampered = [
        line.replace(f'"score_percent":{cert.score_percent}', '"score_percent":95.0') for line in lines
    ]
    assert tampered != lines
    merge(trainer, tampered)
    assert not trainer.verify_certificate(cert.code).valid  # the signature no longer holds

    # a certificate signed by a key nobody trusts, slipped into the database with a key row
    # that lacks this installation's seal (write access to the database is not enough)
    other = make_store("other")
    forged = certified(other, "Người Giả Mạo", UNIT)
    rogue = Ed25519PrivateKey.generate()
    key = signing.SigningKey(rogue)
    fields = {**forged.fields(), "code": forged.code}
    trainer_learner = trainer.sign_in("Người Giả Mạo", UNIT, STAFF)
    with trainer.engine.begin() as conn:
        conn.execute(
            certificates.insert().values(
                **{
                    **forged.fields(),
                    "learner_id": trainer_learner.id,
                    "code": forged.code,
                    "issued_at": forged.issued_at,
                }
            )
        )
        conn.execute(
            signing_keys.insert().values(
                key_id=key.id,
                public_key=key.public_text,
                origin=signing.PINNED,
                label="giả",
                added_at=datetime.now(UTC),
                revoked_at=None,
                seal="00" * 32,
            )
        )
        conn.execute(
            certificate_signatures.insert().values(
                certificate_id=forged.id, key_id=key.id, signature=key.sign({**fields, "learner_id": "x"})
            )
        )
    assert not trainer.verify_certificate(forged.code).valid


def test_a_revoked_kiosk_key_no_longer_vouches(make_store: Callable[[str], Store]) -> None:
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    cert = certified(kiosk)
    merge(trainer, export_lines(kiosk))
    assert trainer.verify_certificate(cert.code).valid
    kiosk_key = signing.load_key(kiosk.data)
    assert db.write(trainer.engine, lambda conn: signing.revoke_key(conn, kiosk_key.id, datetime.now(UTC)))
    assert not trainer.verify_certificate(cert.code).valid


def test_pinned_only_imports_refuse_unknown_kiosk_keys(make_store: Callable[[str], Store]) -> None:
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    cert = certified(kiosk)
    report = merge(trainer, export_lines(kiosk), pinned_only=True)
    assert report.errors and "chưa được ghim" in report.errors[0][1]
    assert not trainer.verify_certificate(cert.code).valid
    key = signing.load_key(kiosk.data)  # what `records keys --own` prints on the kiosk
    secret = certs.load_secret(trainer.data)
    db.write(
        trainer.engine,
        lambda conn: signing.trust_key(
            conn, secret, key.public_text, origin=signing.PINNED, label="Kiosk Mai Sơn", now=datetime.now(UTC)
        ),
    )
    report = merge(trainer, export_lines(kiosk), pinned_only=True)
    assert report.errors == [] and report.new_keys == []
    assert trainer.verify_certificate(cert.code).valid


def test_a_fingerprint_claimed_by_another_key_is_refused(make_store: Callable[[str], Store]) -> None:
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    certified(kiosk)
    lines = export_lines(kiosk)
    other = signing.SigningKey(Ed25519PrivateKey.generate())
    line = next(line for line in lines if '"signature"' in line)
    data = json.loads(line)
    ext = next(v for k, v in data["result"]["extensions"].items() if k.endswith("/certificate"))
    ext["signature"]["public_key"] = other.public_text  # the fingerprint no longer matches
    report = merge(trainer, [json.dumps(data, ensure_ascii=False)])
    assert report.errors and "không khớp" in report.errors[0][1]


def test_records_keys_command(
    make_store: Callable[[str], Store], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    cert = certified(kiosk)
    path = Path(kiosk.data) / "kiosk.jsonl"
    path.write_text("".join(export_lines(kiosk)), encoding="utf-8")
    url = trainer.engine.url.render_as_string(hide_password=False)
    kiosk_url = kiosk.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("NEUGUONG_DATA", str(kiosk.data))
    assert main(["records", "keys", "--own", "--db", kiosk_url]) == 0
    own = capsys.readouterr().out.split()
    assert own[0] == signing.load_key(kiosk.data).id
    monkeypatch.setenv("NEUGUONG_DATA", str(trainer.data))
    assert main(["records", "import", str(path), "--pinned-only", "--db", url]) == 1
    capsys.readouterr()
    assert main(["records", "keys", "--trust", own[1], "--label", "Kiosk Mai Sơn", "--db", url]) == 0
    assert main(["records", "import", str(path), "--pinned-only", "--db", url]) == 0
    assert trainer.verify_certificate(cert.code).valid
    capsys.readouterr()
    assert main(["records", "keys", "--db", url]) == 0
    listed = capsys.readouterr().out
    assert own[0] in listed and "pinned" in listed and "Kiosk Mai Sơn" in listed
    assert main(["records", "keys", "--revoke", own[0], "--db", url]) == 0
    assert not trainer.verify_certificate(cert.code).valid
    assert uuid.UUID(cert.id)
    with trainer.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(certificate_signatures)).scalar() == 1


def test_certificates_issued_before_signatures_are_signed_at_export(
    make_store: Callable[[str], Store],
) -> None:
    """A kiosk upgraded to migration 7 signs its older certificates (only those its own HMAC
    vouches for) before they travel, so they verify on the trainer's installation too."""
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    old, edited = certified(kiosk), certified(kiosk, "Lường Văn Sửa", UNIT)
    with kiosk.engine.begin() as conn:  # as before migration 7: no signatures
        conn.execute(certificate_signatures.delete())
        conn.execute(certificates.update().where(certificates.c.id == edited.id).values(score_percent=99.0))
    merge(trainer, export_lines(kiosk))
    assert not trainer.verify_certificate(old.code).valid
    assert kiosk.sign_issued_certificates() == 1  # the edited one is not vouched for
    assert kiosk.sign_issued_certificates() == 0
    merge(trainer, export_lines(kiosk))
    assert trainer.verify_certificate(old.code).valid
    assert not trainer.verify_certificate(edited.code).valid
