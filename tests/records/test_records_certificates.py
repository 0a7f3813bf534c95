"""Certificate codes: HMAC under a per-installation secret, checked offline."""

from __future__ import annotations

import re
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from widgets.engine.results import AnswerResult, QuizResult
from widgets.records import certificates as certs
from widgets.records.errors import CodeFormatError, RecordsError
from widgets.records.identity import STAFF
from widgets.records.models import Certificate
from widgets.records.policy import FINAL_ID
from widgets.records.schema import certificates
from widgets.records.store import Store

CODE_RE = re.compile(r"NG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def certified(store: Store, name: str = "Nguyễn Thị Lan") -> Certificate:
    learner = store.sign_in(name, "Sở Nội vụ", STAFF)
    attempt = store.start_attempt(learner.id, FINAL_ID)
    result = AnswerResult("q1", "a", 1.0, 1.0, True, (), ())
    store.record_answer(learner.id, attempt.id, FINAL_ID, result, module_id="m1")
    store.finish_quiz(learner.id, QuizResult(FINAL_ID, attempt.id, (result,), 80))
    return store.issue_certificate(learner.id)


def test_secret_is_private_and_stable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(FileNotFoundError):
        certs.load_secret(data, create=False)
    with ThreadPoolExecutor(8) as pool:  # racing first uses agree on one secret
        secrets = set(pool.map(lambda _: certs.load_secret(data), range(16)))
    assert len(secrets) == 1 and len(next(iter(secrets))) == 32
    path = certs.secret_path(data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in data.iterdir()] == [certs.SECRET_FILE]
    assert certs.load_secret(data, create=False) == secrets.pop()


def test_a_damaged_secret_is_reported(tmp_path: Path) -> None:
    certs.secret_path(tmp_path).write_text("not hex\n")
    with pytest.raises(RecordsError, match="hỏng"):
        certs.load_secret(tmp_path)


def test_codes_are_short_crockford_hmacs() -> None:
    message = certs.payload({"name": "Nguyễn Văn An", "score": 90.0})
    code = certs.make_code(b"k" * 32, message)
    assert CODE_RE.fullmatch(code)
    assert certs.check_code(b"k" * 32, message, code)
    assert not certs.check_code(b"j" * 32, message, code)
    assert not certs.check_code(b"k" * 32, certs.payload({"name": "Nguyễn Văn An"}), code)


@given(st.integers(min_value=0, max_value=2**40 - 1))
def test_typed_codes_are_forgiven_case_dashes_and_look_alikes(value: int) -> None:
    chars = "".join(certs.ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(8)))
    canonical = f"NG-{chars[:4]}-{chars[4:]}"
    assert certs.normalise_code(canonical) == canonical
    sloppy = f" ng {chars.lower()} ".replace("0", "o").replace("1", "l")
    assert certs.normalise_code(sloppy) == canonical
    assert certs.normalise_code(chars) == canonical


@pytest.mark.parametrize("text", ["", "NG-", "NG-1234-567", "NG-1234-5678-9", "NG-UUUU-0000", "💥"])
def test_malformed_codes_are_refused_in_vietnamese(text: str) -> None:
    with pytest.raises(CodeFormatError, match="mã xác minh"):
        certs.normalise_code(text)


def test_verify_accepts_the_issued_code(store: Store) -> None:
    cert = certified(store)
    result = store.verify_certificate(cert.code.lower().replace("-", " "))
    assert result.valid and result.certificate == cert
    assert "Nguyễn Thị Lan" in result.message and "hợp lệ" in result.message


def test_tampered_codes_are_refused(store: Store) -> None:
    cert = certified(store)
    chars = cert.code.replace("NG-", "").replace("-", "")
    for i in range(len(chars)):
        other = certs.ALPHABET[(certs.ALPHABET.index(chars[i]) + 1) % 32]
        tampered = chars[:i] + other + chars[i + 1 :]
        result = store.verify_certificate(tampered)
        assert not result.valid and result.certificate is None
    assert not store.verify_certificate("không phải mã").valid


def test_another_installations_secret_is_refused(store: Store, tmp_path: Path) -> None:
    cert = certified(store)
    elsewhere = Store(store.engine, tmp_path / "other-installation")
    certs.load_secret(elsewhere.data)
    result = elsewhere.verify_certificate(cert.code)
    assert not result.valid and "KHÔNG khớp" in result.message
    no_secret = Store(store.engine, tmp_path / "no-secret")
    assert not no_secret.verify_certificate(cert.code).valid
    assert not certs.secret_path(no_secret.data).exists()  # verify never creates one


def test_an_edited_certificate_is_refused(store: Store) -> None:
    cert = certified(store)
    with store.engine.begin() as conn:
        conn.execute(
            certificates.update().where(certificates.c.id == cert.id).values(score_percent=sa.literal(99.0))
        )
    assert not store.verify_certificate(cert.code).valid


def test_deleted_learners_certificates_no_longer_verify(store: Store) -> None:
    cert = certified(store)
    store.delete_learner(cert.learner_id)
    assert not store.verify_certificate(cert.code).valid
