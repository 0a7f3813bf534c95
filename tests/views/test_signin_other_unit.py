"""Sign-in with a unit typed under "Khác": stored as typed (NFC), found again, shown escaped."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from signing import PIN

from widgets.records.schema import learners
from widgets.records.store import open_store
from widgets.views.home import HomePage, home_page
from widgets.views.signin import OTHER_UNIT

from .state import visible_html

HOSTILE_UNIT = 'Trạm "Y tế" <script>alert(1)</script> & xã Chiềng Ơn'


def form_with_other_unit(unit: str) -> HomePage:
    page = home_page()
    assert page.form is not None
    page.form.name.value = unicodedata.normalize("NFD", "Lò Văn Ếch")
    page.form.unit.value = OTHER_UNIT
    assert page.form.unit_other.layout.display is None  # the text box appears with "Khác"
    page.form.unit_other.value = unit
    page.form.role.index = 1
    page.form.pin.value = page.form.pin_confirm.value = PIN
    return page


def test_unit_typed_under_other_is_stored_as_typed_and_shown_escaped(site: Path) -> None:
    page = form_with_other_unit(unicodedata.normalize("NFD", HOSTILE_UNIT))
    assert page.form is not None
    learner = page.form.sign_in()
    assert learner is not None
    assert learner.unit == unicodedata.normalize("NFC", HOSTILE_UNIT)
    assert learner.full_name == "Lò Văn Ếch" == unicodedata.normalize("NFC", learner.full_name)
    assert open_store().find_learners(name="lò văn ếch", unit=HOSTILE_UNIT)[0].id == learner.id

    shown = visible_html(page)
    assert "<script>" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "&amp; xã Chiềng Ơn" in shown

    again = form_with_other_unit(HOSTILE_UNIT)  # a returning learner finds the same record
    assert again.form is not None and again.form.sign_in() == learner


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Vui lòng nhập đơn vị"),
        ("   ", "Vui lòng nhập đơn vị"),
        ("Sở 🏛️", "biểu tượng"),
        ("U" * 201, "200"),
    ],
)
def test_bad_unit_under_other_is_refused_in_vietnamese_and_nothing_stored(
    site: Path, typed: str, says: str
) -> None:
    page = form_with_other_unit(typed)
    assert page.form is not None
    assert page.form.sign_in() is None
    assert says in page.form.message.value and "nk-message-error" in page.form.message.value
    with open_store().engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(learners)).scalar() == 0
    assert page.form.name.value  # what was typed stays in the form


def test_other_unit_box_is_hidden_for_listed_units(site: Path) -> None:
    page = home_page()
    assert page.form is not None
    assert page.form.unit_other.layout.display == "none"
    page.form.unit.value = OTHER_UNIT
    page.form.unit.index = 1
    assert page.form.unit_other.layout.display == "none"
