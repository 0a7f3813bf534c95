"""Small hand-made inputs: the reference statistics (scores, completion, scenarios), the roster and
the roll-up per unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from reference.cohort import Cohort
from reference.completion import learner_completion
from reference.scenarios import scenario_analysis
from reference.scores import score_report

from widgets.content.model import Action, Node, Rating, Scenario, SourceRef
from widgets.records.models import AttemptSummary, StoredChoice
from widgets.records.progress import Requirement
from widgets.records.statistics.completion import LearnerRow
from widgets.records.statistics.filters import Filters
from widgets.records.statistics.scores import histogram
from widgets.reports.roster import header_key, parse_roster
from widgets.reports.units import unit_completion

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
SRC = SourceRef("test", 1)


def quiz(
    learner: str, activity: str, percent: float | None, n: int, *, passed: bool | None = None
) -> AttemptSummary:
    done = percent is not None
    return AttemptSummary(
        id=f"{learner}-{activity}-{n}",
        learner_id=learner,
        kind="quiz",
        activity_id=activity,
        module_id=activity,
        started_at=T0 + timedelta(hours=n),
        finished_at=T0 + timedelta(hours=n, minutes=20) if done else None,
        score=percent / 10 if done else None,
        max_score=10.0 if done else None,
        passed=(percent >= 80) if done and passed is None else passed,
    )


def run(learner: str, scenario: str, n: int, finished: bool = True) -> AttemptSummary:
    return AttemptSummary(
        f"{learner}-{scenario}-{n}",
        learner,
        "scenario",
        scenario,
        "m1",
        T0 + timedelta(hours=n),
        T0 + timedelta(hours=n, minutes=5) if finished else None,
    )


def test_score_report_counts_each_learners_best_finished_attempt() -> None:
    attempts = [
        quiz("A", "final", 60.0, 1),
        quiz("A", "final", 90.0, 2),
        quiz("B", "final", 70.0, 1),
        quiz("C", "final", None, 1),
        quiz("A", "m1", 100.0, 0),  # another quiz: ignored
    ]
    report = score_report(attempts, "final")
    assert (report.learners, report.passed, report.percents) == (2, 1, (70.0, 90.0))
    assert report.pass_rate == 0.5 and report.mean == 80.0 and report.median == 80.0
    assert report.histogram == (0, 0, 0, 0, 0, 0, 0, 1, 0, 1)
    assert (report.attempts, report.unfinished) == (4, 1)
    assert report.attempts_per_learner == {1: 2, 2: 1}
    assert report.mean_attempts == pytest.approx(4 / 3)
    empty = score_report([], "final")
    assert empty.pass_rate is None and empty.mean is None and empty.mean_attempts is None


def test_histogram_edges() -> None:
    assert histogram([0.0, 9.99, 10.0, 89.99, 90.0, 100.0]) == (2, 1, 0, 0, 0, 0, 0, 0, 1, 2)


def test_roster_with_vietnamese_headers_semicolons_and_bad_rows() -> None:
    text = (
        "\ufeffHọ và tên;Đơn vị;Mã cán bộ\n"
        "Lò Văn An;Sở Nội vụ;\n"
        "Cầm Thị Bình;sở  nội vụ;cb-7\n"
        ";Sở Y tế;\n"
        "Hà Văn Cường;;\n"
        "Tòng Thị Dung;Sở Y tế;mã sai!\n"
        "\n"
        "Quàng Văn Em;Sở Y tế;\n"
    )
    roster = parse_roster(text)
    assert [(e.line, e.name, e.unit, e.staff_code) for e in roster.entries] == [
        (2, "Lò Văn An", "Sở Nội vụ", None),
        (3, "Cầm Thị Bình", "sở nội vụ", "CB-7"),
        (8, "Quàng Văn Em", "Sở Y tế", None),
    ]
    assert roster.counts == {"sở nội vụ": 2, "sở y tế": 1}
    assert roster.unit_names["sở nội vụ"] == "Sở Nội vụ"
    assert [line for line, _ in roster.problems] == [4, 5, 6]
    assert "họ và tên" in roster.problems[0][1].lower() and "đơn vị" in roster.problems[1][1].lower()


def test_roster_of_counts_and_unreadable_rosters() -> None:
    roster = parse_roster("don vi,so luong\nSở Nội vụ,12\nSở Y tế,-1\nSở Y tế,nhiều\nSở Tư pháp,3\n")
    assert roster.counts == {"sở nội vụ": 12, "sở tư pháp": 3} and [n for n, _ in roster.problems] == [3, 4]
    assert parse_roster("").problems[0][0] == 1
    assert parse_roster("tên,tuổi\nA,3\n").problems[0][0] == 1
    assert header_key(" Mã cán bộ ") == "ma_can_bo" and header_key("ĐƠN VỊ") == "don_vi"


def learner(key: str, name: str, unit: str, code: str | None = None) -> LearnerRow:
    return LearnerRow(
        key, name, unit, "cán bộ, công chức, viên chức", code, name.casefold(), unit.casefold(), T0
    )


def test_completion_per_learner_and_per_unit_against_a_roster() -> None:
    reqs = (Requirement("m1", "m1", ("s1",)), Requirement("m2", "m2", ()))
    people = (
        learner("A", "Lò Văn An", "Sở Nội vụ"),
        learner("B", "Cầm Thị Bình", "Sở Nội vụ", "CB-7"),
        learner("C", "Hà Văn Cường", "Sở Y tế"),
    )
    attempts = (
        quiz("A", "m1", 80.0, 1),
        run("A", "s1", 2),
        quiz("A", "m2", 90.0, 3),
        quiz("A", "final", 85.0, 4),
        quiz("B", "m1", 100.0, 1),
        run("B", "s1", 2, finished=False),
        quiz("B", "m2", 50.0, 3),
        quiz("C", "m1", 70.0, 1),
    )
    cohort = Cohort(
        filters=Filters(),
        learners=people,
        attempts=attempts,
        answers=(),
        choices=(),
        completions={"C": frozenset({"m2"})},  # recorded complete earlier
        certified=frozenset({"A"}),
    )
    rows = {row.learner.id: row for row in learner_completion(cohort, reqs)}
    assert rows["A"].done == ("m1", "m2") and rows["A"].all_modules
    assert rows["A"].final_passed and rows["A"].final_percent == 85.0 and rows["A"].certified
    assert rows["B"].done == () and not rows["B"].final_passed and rows["B"].final_percent is None
    assert rows["C"].done == ("m2",)
    roster = parse_roster(
        "Họ và tên,Đơn vị,Mã cán bộ\n"
        "Lò Văn An,Sở Nội vụ,\n"
        "Bình khác tên,Sở Nội vụ,CB-7\n"
        "Lường Văn Vắng,Sở Nội vụ,\n"
    )
    units = unit_completion(list(rows.values()), roster, unit_order=("Sở Y tế", "Sở Nội vụ"))
    assert [u.unit for u in units] == ["Sở Y tế", "Sở Nội vụ"]
    yte, noivu = units
    assert (noivu.expected, noivu.signed_in, noivu.all_modules, noivu.final_passed, noivu.certified) == (
        3,
        2,
        1,
        1,
        1,
    )
    assert noivu.not_signed_in == ("Lường Văn Vắng",) and noivu.not_finished == (
        "Bình khác tên",
    )  # matched by code
    assert noivu.per_module == {"m1": 1, "m2": 1} and noivu.share_certified == pytest.approx(1 / 3)
    assert (yte.expected, yte.signed_in, yte.not_finished) == (None, 1, ())
    bare = unit_completion(list(rows.values()))
    assert {u.unit: u.not_finished for u in bare}["Sở Nội vụ"] == ("Cầm Thị Bình",)


def test_scenario_shares_count_each_learners_first_choice() -> None:
    node = Node(
        "n1",
        "Bạn làm gì?",
        (),
        (
            Action("a1", "Báo cáo ngay", Rating.BEST, "", "", (), "end", SRC),
            Action("a2", "Chờ", Rating.ACCEPTABLE, "", "", (), "end", SRC),
            Action("a3", "Im lặng", Rating.VIOLATION, "", "", (), "end", SRC),
        ),
        SRC,
    )
    scenario = Scenario("s1", "Tình huống", "Sở", "n1", (node, Node("end", "Hết", (), (), SRC)), SRC)

    def choice(learner: str, action: str, minutes: int, rating: str = "best") -> StoredChoice:
        return StoredChoice(
            f"{learner}{minutes}",
            "r",
            learner,
            "m1",
            "s1",
            0,
            "n1",
            action,
            rating,
            "end",
            T0 + timedelta(minutes=minutes),
        )

    rows = [
        choice("A", "a3", 1, "violation"),
        choice("A", "a1", 9),  # A's second run does not count
        choice("B", "a1", 2),
        choice("C", "a2", 3, "acceptable"),
        choice("D", "a1", 4),
        choice("E", "old", 5, "violation"),  # an action no longer in the content
    ]
    (stat,) = scenario_analysis(rows, [scenario])
    assert stat.reached == 5
    assert [(a.action_id, a.count, a.share) for a in stat.actions] == [
        ("a1", 2, 0.4),
        ("a2", 1, 0.2),
        ("a3", 1, 0.2),
        ("old", 1, 0.2),
    ]
    assert stat.share_by_rating() == {"best": 0.4, "acceptable": 0.2, "violation": 0.4}


def test_filters_refuse_naive_times_and_empty_ranges() -> None:
    with pytest.raises(ValueError):
        Filters(since=datetime(2025, 1, 1))
    with pytest.raises(ValueError):
        Filters(since=T0, until=T0)
    window = Filters(since=T0, until=T0 + timedelta(days=1))
    assert window.in_range(T0) and not window.in_range(T0 + timedelta(days=1)) and not window.in_range(None)
