"""Sign-in validation: normalised faithfully or refused with a Vietnamese message."""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widgets.records.errors import SignInError
from widgets.records.identity import (
    LEADER,
    NAME_MAX,
    STAFF,
    UNIT_MAX,
    identity_key,
    legacy_learner_id,
    load_secret,
    normalise_name,
    normalise_role,
    normalise_staff_code,
    normalise_unit,
    validate_sign_in,
)

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


def assert_vietnamese(error: SignInError) -> None:
    assert error.message and VIETNAMESE.search(error.message.lower()), error.message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("  Nguyễn   Văn\tAn \n", "Nguyễn Văn An"),
        (unicodedata.normalize("NFD", "Trần Thị Hằng Nga"), "Trần Thị Hằng Nga"),
        ("H'Hen Niê", "H'Hen Niê"),
        ("Lò Văn Hặc", "Lò Văn Hặc"),
        ("O’Neil-Smith Jr.", "O’Neil-Smith Jr."),
        ("Nguyễn\u00a0Văn\u3000An", "Nguyễn Văn An"),
    ],
)
def test_names_are_stored_faithfully_in_nfc(typed: str, stored: str) -> None:
    name = normalise_name(typed)
    assert name == stored
    assert unicodedata.is_normalized("NFC", name)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "\t\n ",
        None,
        "A" * 10_000,
        "Nguyễn " * 20,
        "<script>alert(1)</script>",
        'Nguyễn "Bình"',
        "Robert'); DROP TABLE learners;--",
        "' OR '1'='1",
        "Nguyễn Văn An 😀",
        "Nguyễn Văn 2",
        "Nguyễn\x00An",
        "Nguyễn\u202eAn",
        "Nguyễn\u200bAn",
        "\ud800",
        "...",
        12345,
    ],
)
def test_bad_names_are_refused_in_vietnamese(typed: object) -> None:
    with pytest.raises(SignInError) as caught:
        normalise_name(typed)
    assert caught.value.field == "name"
    assert_vietnamese(caught.value)


def test_a_too_long_name_says_how_long() -> None:
    with pytest.raises(SignInError, match="10000 ký tự, vượt quá 100"):
        normalise_name("A" * 10_000)


@pytest.mark.parametrize(
    "typed",
    [
        "Sở Nội vụ",
        "<script>alert('x')</script>",
        "UBND xã Chiềng Mung (huyện Mai Sơn)",
        "Phòng \"Tổ chức\" & 'Hành chính'",
        "'; DROP TABLE learners; --",
        "Sở Lao động - Thương binh và Xã hội",
        unicodedata.normalize("NFD", "Trường THPT Tô Hiệu"),
    ],
)
def test_units_are_stored_as_typed(typed: str) -> None:
    assert normalise_unit(typed) == unicodedata.normalize("NFC", typed)


@pytest.mark.parametrize("typed", ["", " ", "U" * (UNIT_MAX + 1), "Sở 🏛️", "\x07Sở", "---"])
def test_bad_units_are_refused_in_vietnamese(typed: str) -> None:
    with pytest.raises(SignInError) as caught:
        normalise_unit(typed)
    assert caught.value.field == "unit"
    assert_vietnamese(caught.value)


@pytest.mark.parametrize(
    ("typed", "role"),
    [
        ("lãnh đạo", LEADER),
        ("  Lãnh  Đạo ", LEADER),
        (unicodedata.normalize("NFD", "LÃNH ĐẠO"), LEADER),
        ("cán bộ, công chức, viên chức", STAFF),
        ("Cán bộ công chức viên chức", STAFF),
    ],
)
def test_roles(typed: str, role: str) -> None:
    assert normalise_role(typed) == role


@pytest.mark.parametrize("typed", ["", "giám đốc", "admin", "<b>lãnh đạo</b>"])
def test_unknown_roles_are_refused(typed: str) -> None:
    with pytest.raises(SignInError) as caught:
        normalise_role(typed)
    assert_vietnamese(caught.value)


def test_staff_codes() -> None:
    assert normalise_staff_code(None) is None
    assert normalise_staff_code("   ") is None
    assert normalise_staff_code(" cc-0123/sl ") == "CC-0123/SL"
    for bad in ("mã 1", "CÁN-01", "X" * 33, "'; --", "A\x00"):
        with pytest.raises(SignInError) as caught:
            normalise_staff_code(bad)
        assert caught.value.field == "staff_code"
        assert_vietnamese(caught.value)


KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def test_learner_ids_are_deterministic_under_one_secret() -> None:
    one = validate_sign_in("Nguyễn Văn An", "Sở Nội vụ", LEADER)
    two = validate_sign_in(unicodedata.normalize("NFD", "nguyễn  văn AN"), " sở nội vụ", STAFF)
    assert one.learner_id(KEY) == two.learner_id(KEY)
    other_unit = validate_sign_in("Nguyễn Văn An", "Sở Tư pháp", LEADER)
    assert other_unit.learner_id(KEY) != one.learner_id(KEY)
    coded = validate_sign_in("Nguyễn Văn An", "Sở Nội vụ", LEADER, "CC-1")
    assert coded.learner_id(KEY) == validate_sign_in("Khác Tên", "Khác", STAFF, "cc-1").learner_id(KEY)
    assert coded.learner_id(KEY) != one.learner_id(KEY)


def test_learner_ids_cannot_be_derived_without_the_secret() -> None:
    """The ID is keyed: the public uuid5 of name + unit, or another installation's key, is not it."""
    entry = validate_sign_in("Nguyễn Văn An", "Sở Nội vụ", LEADER)
    keyed = entry.learner_id(KEY)
    assert keyed != entry.learner_id(OTHER_KEY)
    assert keyed != legacy_learner_id(None, entry.name_key, entry.unit_key)
    assert uuid.UUID(keyed).version == 8
    with pytest.raises(ValueError):
        entry.learner_id(b"short")


def test_the_secret_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_secret(tmp_path / "data")
    assert len(first) == 32 and load_secret(tmp_path / "data") == first
    assert (tmp_path / "data" / "identity-secret").stat().st_mode & 0o777 == 0o600
    assert load_secret(tmp_path / "other") != first


@given(st.one_of(st.text(max_size=150), st.text(alphabet="aăâbđeêoôơuư ÀẢẠ\t'-", max_size=40)))
def test_any_name_is_normalised_or_refused(text: str) -> None:
    try:
        name = normalise_name(text)
    except SignInError as error:
        assert_vietnamese(error)
        return
    assert unicodedata.is_normalized("NFC", name)
    assert name == name.strip() and "  " not in name and 0 < len(name) <= NAME_MAX
    assert normalise_name(name) == name
    assert identity_key(name) == identity_key(f" {unicodedata.normalize('NFD', name)}\t")


@given(st.text(max_size=250))
def test_any_unit_is_normalised_or_refused(text: str) -> None:
    try:
        unit = normalise_unit(text)
    except SignInError as error:
        assert_vietnamese(error)
        return
    assert unicodedata.is_normalized("NFC", unit)
    assert unit == unit.strip() and 0 < len(unit) <= UNIT_MAX
    assert normalise_unit(unit) == unit
