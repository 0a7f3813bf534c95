"""Sign-in offers the current units of units.yml; a commune-level learner picks
"UBND xã/phường (ghi tên)" and types the name, stored as typed (issue 18)."""

from __future__ import annotations

from pathlib import Path

from signing import fill_form

from widgets.content.course import load_course
from widgets.i18n import t
from widgets.records.store import open_store
from widgets.views.signin import SignInForm


def test_a_typed_unit_opens_a_field_and_keeps_the_name_as_typed(
    tmp_path: Path, fixture_course_dir: Path
) -> None:
    course = load_course(fixture_course_dir)
    store = open_store(f"sqlite:///{tmp_path / 'records.sqlite'}", data=tmp_path)
    form = SignInForm(store, course.units, typed=course.typed_units)
    options = list(form.unit.options)
    assert "Sở Lao động - Thương binh và Xã hội" not in options  # retired: never offered
    commune = options.index("UBND xã/phường (ghi tên)")
    form.unit.index = commune
    assert form.unit_other.layout.display is None and form.unit_other.description == t("signin.unit_typed")
    form.unit_other.value = "UBND xã Chiềng Cơi"
    learner = fill_form(form, "Lò Văn Tươi", unit=commune)
    assert learner is not None and learner.unit == "UBND xã Chiềng Cơi"
    form.unit.index = options.index("Sở Nội vụ")
    assert form.unit_other.layout.display == "none"


def test_without_an_explicit_list_the_marked_unit_is_typed(tmp_path: Path) -> None:
    form = SignInForm(None, ("Sở Nội vụ", "UBND xã/phường (ghi tên)"))
    assert form.typed == {"UBND xã/phường (ghi tên)"}
