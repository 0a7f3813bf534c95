"""A learner who signed in under a unit that no longer exists keeps their records; the
per-unit report counts them under the unit's successor (units.yml ``successor:``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from widgets.content.course import load_course
from widgets.records.identity import identity_key
from widgets.records.statistics.completion import LearnerCompletion, LearnerRow
from widgets.reports.units import unit_completion

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def row(learner_id: str, name: str, unit: str, done: tuple[str, ...] = ()) -> LearnerCompletion:
    learner = LearnerRow(
        learner_id, name, unit, "Công chức", None, identity_key(name), identity_key(unit), T0
    )
    return LearnerCompletion(learner, done, 2, None, False, False)


def test_old_unit_is_reported_under_its_successor(fixture_course_dir: Path) -> None:
    course = load_course(fixture_course_dir)
    rows = [
        row("a", "Lò Văn An", "Sở Nội vụ", ("m1",)),
        row(
            "b", "Cầm Thị Bình", "sở lao động - thương binh và xã hội", ("m1", "m2")
        ),  # retired, typed loosely
        row("c", "Quàng Văn Cường", "UBND huyện Mẫu"),  # retired, no certain successor
    ]
    units = unit_completion(rows, None, course.units, course.successors)
    by_name = {u.unit: u for u in units}
    assert set(by_name) == {"Sở Nội vụ", "UBND huyện Mẫu"}
    assert by_name["Sở Nội vụ"].signed_in == 2 and by_name["Sở Nội vụ"].per_module == {"m1": 2, "m2": 1}
    assert by_name["UBND huyện Mẫu"].signed_in == 1  # kept under its own name: no successor is guessed
    assert rows[1].learner.unit == "sở lao động - thương binh và xã hội"  # the record is unchanged
    assert {u.unit for u in unit_completion(rows)} == {
        "Sở Nội vụ",
        "sở lao động - thương binh và xã hội",
        "UBND huyện Mẫu",
    }  # without successors nothing moves


def test_sign_in_offers_current_units_only(fixture_course_dir: Path) -> None:
    course = load_course(fixture_course_dir)
    assert "Sở Lao động - Thương binh và Xã hội" not in course.units
    assert "UBND huyện Mẫu" not in course.units
    assert {u.name for u in course.unit_entries if u.retired} == {
        "Sở Lao động - Thương binh và Xã hội",
        "UBND huyện Mẫu",
    }
