"""``neuguong coverage``: lessons, questions and scenario nodes citing each clause, as JSON or a table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from widgets.content.course import load_course
from widgets.content.coverage import clause_coverage

# The fixture course: lesson sections citing doc and officials.1; questions citing doc ×4 and
# officials.1 ×3 (q-nhieu cites both); scenario nodes "trua" and "chieu" cite officials.1, the end
# node nothing.
EXPECTED = {
    "doc": {"lessons": 1, "questions": 4, "scenarios": 0},
    "officials.1": {"lessons": 1, "questions": 3, "scenarios": 2},
}


def neuguong(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "widgets", *args], capture_output=True, text=True, check=False
    )


def test_counts_per_clause(fixture_course_dir: Path) -> None:
    assert clause_coverage(load_course(fixture_course_dir)) == EXPECTED


def test_json_output_is_keyed_by_every_clause(fixture_course_dir: Path) -> None:
    done = neuguong("coverage", str(fixture_course_dir), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED


def test_table_output_has_the_same_figures(fixture_course_dir: Path) -> None:
    done = neuguong("coverage", str(fixture_course_dir))
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[1:] == [["doc", "1", "4", "0", "2", "50%"], ["officials.1", "1", "3", "2", "3", "100%"]]
    assert "bài học" in done.stdout.splitlines()[0] and "tình huống" in done.stdout.splitlines()[0]


def test_figures_come_only_when_asked_for(fixture_course_dir: Path) -> None:
    done = neuguong("coverage", str(fixture_course_dir), "--json", "--figures")
    report = json.loads(done.stdout)
    assert report["clauses"] == EXPECTED and report["questions"] == 6 and report["scenarios"] == 1
    assert report["levels"] == {
        "recall": 2,
        "application": 4,
        "unset": 0,
        "application_share": 66,
        "clauses": {
            "doc": {"questions": 4, "application": 2, "share": 50},
            "officials.1": {"questions": 3, "application": 3, "share": 100},
        },
    }
    table = neuguong("coverage", str(fixture_course_dir), "--figures").stdout
    assert table.startswith(neuguong("coverage", str(fixture_course_dir)).stdout.rstrip("\n") + "\n\n")


def test_invalid_content_is_reported_without_traceback(course_copy: Path) -> None:
    module = course_copy / "modules" / "tong-quan.md"
    module.write_text(module.read_text(encoding="utf-8").replace("cites: doc\n", "cites: nope\n", 1), "utf-8")
    done = neuguong("coverage", str(course_copy), "--json")
    assert done.returncode == 1 and done.stdout == ""
    assert "mã điều khoản không có trong Công văn: 'nope'" in done.stderr and "Traceback" not in done.stderr
