"""Moodle's own GIFT sample set: every supported question imported, each other one refused by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.cli import main
from widgets.content.course import check_course, load_course
from widgets.content.markdown import plain_text
from widgets.content.model import QuestionType, QuizPolicy
from widgets.content.module import parse_module
from widgets.content.problems import ProblemLog
from widgets.interop.gift_parse import parse_gift
from widgets.interop.gift_syntax import read_gift

from .conftest import same

NUMERICAL_LINES = [16, 70, 72, 74, 76, 85, 175, 202]
"""First lines of the ``{#…}`` questions in ``examples.txt`` (comments above them excluded)."""


@pytest.fixture(scope="module")
def imported(moodle_examples: Path):
    return parse_gift(moodle_examples.read_text(encoding="utf-8"), "moodle-gift-examples.txt")


def test_every_numerical_question_is_refused_with_its_line(imported) -> None:
    assert [int(n.where.rsplit(":", 1)[1]) for n in imported.refused] == NUMERICAL_LINES
    for notice in imported.refused:
        assert notice.where.startswith("moodle-gift-examples.txt:")
        assert "numerical" in notice.message and "không nhập được" in notice.message


def test_every_other_question_is_imported(imported, moodle_examples: Path) -> None:
    records = read_gift(moodle_examples.read_text(encoding="utf-8"))
    supported = [r.line for r in records if r.kind not in {"numerical", "category"}]
    assert [q.source.line for q in imported.questions] == supported
    assert len(imported.questions) == 35
    kinds = [q.type for q in imported.questions]
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        QuestionType.SINGLE: 16,
        QuestionType.MULTIPLE: 2,
        QuestionType.TRUE_FALSE: 5,
        QuestionType.SHORT: 9,
        QuestionType.MATCHING: 3,
    }


def _at(imported, line: int):
    return next(q for q in imported.questions if q.source.line == line)


def test_named_and_missing_word_questions(imported) -> None:
    kanji = _at(imported, 90)
    assert kanji.id == "kanji-origins"
    assert kanji.type is QuestionType.SHORT  # {=China}: one answer, no '~', as Moodle reads it
    assert plain_text(_at(imported, 93).stem) == (
        "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November."
    )
    assert _at(imported, 45).stem == "Two plus two equals _____."


def test_special_characters_example(imported) -> None:
    control = _at(imported, 148)
    assert control.id == "gift-control-characters"
    assert [plain_text(c.text) for c in control.choices] == ["~", "=", "#", "{", "}", "\\"]
    assert [c.correct for c in control.choices] == [False] * 5 + [True]
    assert plain_text(control.choices[2].feedback) == "# is a control character."
    assert plain_text(control.choices[5].feedback).startswith("Correct! \\ (backslash) is not a control")
    equals = _at(imported, 143)
    assert [c.text for c in equals.choices] == ["= 2 + 2", "= 2 + 3", "= 2 + 4"]


def test_weights_feedback_and_formats(imported) -> None:
    assert _at(imported, 108).stem == "Who's buried in **Grant's tomb**?"
    hometown = _at(imported, 117)
    assert [(c.text, c.correct) for c in hometown.choices][-1] == ("Nazareth", True)
    assert hometown.choices[2].feedback == "You need to be more specific."
    assert _at(imported, 136).partial and _at(imported, 130).partial
    false_feedback = {c.text: c.feedback for c in _at(imported, 113).choices}
    assert false_feedback == {"Đúng": "No one is buried in Grant's tomb.", "Sai": ""}
    notes = {n.where for n in imported.notes}
    assert {"moodle-gift-examples.txt:115", "moodle-gift-examples.txt:123"} <= notes


def test_import_command_writes_a_module_that_check_flags_for_citations(
    moodle_examples: Path, content_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], imported
) -> None:
    before = check_course(content_copy)
    code = main(
        [
            *("gift", "import", str(moodle_examples), "--module", "moodle-mau", "--title", "Mẫu Moodle"),
            *("--content", str(content_copy), "--notebooks", str(tmp_path / "notebooks")),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for line in NUMERICAL_LINES:
        assert f"{moodle_examples}:{line}: câu hỏi số (numerical" in out
    assert "Đã nhập 35 câu hỏi" in out and "từ chối 8" in out
    assert (tmp_path / "notebooks").is_dir()

    module_file = next((content_copy / "modules").glob("*-moodle-mau.md"))
    assert f"file: modules/{module_file.name}" in (content_copy / "course.yml").read_text(encoding="utf-8")
    module = parse_module(module_file, (), QuizPolicy(), "x.ipynb", ProblemLog(module_file))
    assert module is not None
    assert [same(q) for q in module.questions] == [same(q) for q in imported.questions]

    problems = [p for p in check_course(content_copy) if p not in before]
    flagged = {p.line for p in problems if "thiếu trường 'cites'" in p.message}
    assert {q.source.line + 1 for q in module.questions} <= flagged  # the empty "cites:" line


def test_import_appends_to_an_existing_module(
    moodle_examples: Path, content_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = load_course(content_copy).modules[-1]
    module_file = Path(target.source.path)  # absolute: the copy is outside the working folder
    size = len(module_file.read_text(encoding="utf-8"))
    code = main(
        [
            *("gift", "import", str(moodle_examples), "--module", target.id),
            *("--content", str(content_copy), "--notebooks", str(tmp_path / "nb")),
        ]
    )
    assert code == 0
    text = module_file.read_text(encoding="utf-8")
    assert len(text) > size and text.count(":::: question ") == len(target.questions) + 35
    assert "Đã nhập 35 câu hỏi" in capsys.readouterr().out
