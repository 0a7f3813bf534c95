"""Each kind of content mistake, one small fixture each: ``tests/fixtures/invalid/<case>.md`` (a
module) or ``<case>/`` (files laid over the base course), with the exact ``file:line: message``
lines ``neuguong check`` must print in ``<case>.expected``. See ``tests/fixtures/invalid/README.md``."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import yaml

from widgets.content.course import check_course
from widgets.i18n import catalogue

FIXTURES = Path(__file__).parents[1] / "fixtures"
INVALID = FIXTURES / "invalid"
BASE = INVALID / "_base"
CASES = sorted(p.stem for p in INVALID.glob("*.expected"))
CONTENT_CODE = Path(__file__).parents[2] / "widgets" / "content"

UNREACHABLE = {  # messages no small fixture file can produce, and why
    # load_course's fallback when _parse_course gives no course and no problem: a guard no
    # content reaches (an empty course.yml is reported: see test_empty_course_yml).
    "check.course_unreadable",
    # text_field(required=True): no caller asks for a required text field.
    "check.block_missing_field",
    # final_problems' guard for hand-built courses: the loader never pools such questions.
    "check.final_pool_excluded",
    # Needs an image over 512 KB, written by test_validation.py::test_scenario_node_image_too_large.
    "check.image_too_large",
}


def build(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The base course with the case laid over it, as the working folder (paths print relative)."""
    root = tmp_path / "course"
    shutil.copytree(BASE, root)
    if (INVALID / case).is_dir():
        shutil.copytree(INVALID / case, root, dirs_exist_ok=True)
    else:
        shutil.copy(INVALID / f"{case}.md", root / "modules" / "case.md")
    monkeypatch.chdir(root)
    return root


def problems(root: Path) -> list[str]:
    return [str(problem) for problem in check_course(root)]


def test_the_base_course_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert problems(build("_base", tmp_path, monkeypatch)) == []


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_gives_its_exact_messages(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = (INVALID / f"{case}.expected").read_text(encoding="utf-8").splitlines()
    assert expected, f"{case}.expected is empty"
    assert problems(build(case, tmp_path, monkeypatch)) == expected


def test_every_case_has_its_expected_file() -> None:
    cases = {p.stem for p in INVALID.glob("*.md") if p.name != "README.md"} | {
        p.name for p in INVALID.iterdir() if p.is_dir() and p.name != "_base"
    }
    assert cases == set(CASES)


def templates() -> dict[str, re.Pattern[str]]:
    """Every validator message ``widgets/content/`` takes from the catalogue (``t("check.…")``;
    ``check.what.*`` are parts of messages), by key, as the regex its Vietnamese text fills."""
    vi = catalogue("vi")
    found: dict[str, re.Pattern[str]] = {}
    for path in sorted(CONTENT_CODE.glob("*.py")):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "t"):
                continue
            key = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else None
            if not isinstance(key, str) or not key.startswith("check.") or key.startswith("check.what."):
                continue
            text = vi[key]
            if not call.keywords:  # t() formats only when given values
                found[key] = re.compile(re.escape(text))
                continue
            parts = re.split(r"(\{\{|\}\}|\{[^{}]*\})", text)
            found[key] = re.compile(
                "".join(
                    re.escape(part[0])
                    if part in ("{{", "}}")
                    else ".+"
                    if part.startswith("{")
                    else re.escape(part)
                    for part in parts
                )
            )
    return found


def reported_messages() -> list[str]:
    """The messages of every fixture here and of the course-wide rules' fixtures (issue 18)."""
    lines = [line for p in INVALID.glob("*.expected") for line in p.read_text("utf-8").splitlines()]
    for rule in (FIXTURES / "rules").glob("*.yml"):
        spec = yaml.safe_load(rule.read_text("utf-8"))
        lines += spec.get("expect") or [] if isinstance(spec, dict) else []
    return [re.sub(r"^[^:]*:(\{[^}]*\}|\d+): ", "", line) for line in lines]


def test_every_message_of_the_validator_has_a_fixture() -> None:
    found = templates()
    assert len(found) > 90  # the walk above still finds the validator's messages
    messages = reported_messages()
    missing = [
        text
        for text, pattern in found.items()
        if text not in UNREACHABLE and not any(pattern.search(m) for m in messages)
    ]
    assert missing == [], "messages without a fixture in tests/fixtures/invalid/"
    assert set(found) >= UNREACHABLE, "an unreachable message is gone: drop it from UNREACHABLE"


def test_empty_course_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build("_base", tmp_path, monkeypatch)
    (root / "course.yml").write_text("", encoding="utf-8")
    assert problems(root) == ["course.yml:1: course.yml phải là các cặp 'khóa: giá trị'"]
