"""jupyterquiz's own example file, and the string type it does not use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from widgets.cli import main
from widgets.content.model import QuestionType, QuizPolicy
from widgets.content.module import parse_module
from widgets.content.problems import ProblemLog
from widgets.interop.jupyterquiz import parse_jupyterquiz

from .conftest import same


@pytest.fixture(scope="module")
def imported(jupyterquiz_examples: Path):
    return parse_jupyterquiz(jupyterquiz_examples.read_text(encoding="utf-8"), "questions.json")


def test_numeric_questions_are_refused_with_their_index(imported) -> None:
    assert [notice.where for notice in imported.refused] == ["questions.json[3]", "questions.json[4]"]
    assert all("numeric" in notice.message for notice in imported.refused)


def test_choice_questions_are_imported_with_their_types_and_feedback(imported) -> None:
    assert [q.type for q in imported.questions] == [
        QuestionType.MULTIPLE,  # many_choice
        QuestionType.MULTIPLE,  # many_choice
        QuestionType.SINGLE,  # multiple_choice, one right answer
        QuestionType.SINGLE,
        QuestionType.SINGLE,
        QuestionType.SINGLE,
    ]
    first = imported.questions[0]
    assert first.stem == "Choose all of the following that can be included in Jupyter notebooks?"
    assert [(c.text, c.correct, c.feedback) for c in first.choices][-1] == (
        "Live snakes via Python",
        False,
        "I hope not.",
    )
    assert not first.partial  # many_choice is all-or-nothing in jupyterquiz


def test_code_becomes_a_code_block_or_inline_code(imported) -> None:
    output = imported.questions[3]
    assert (
        output.stem
        == 'Determine the output of the following Python code:\n\n```\na="1"\nb="2"\nprint(a+b)\n```'
    )
    snippets = imported.questions[4]
    assert [(c.text, c.correct) for c in snippets.choices] == [
        ("`mylist+=3`", False),
        ("`mylist+=[3]`", True),
        ("`mylist+={3}`", False),
    ]


def test_string_questions_become_short_answers_with_notes_for_what_is_lost() -> None:
    source = json.dumps(
        [
            {
                "type": "string",
                "question": "Nguyên tắc thứ năm là rõ gì?",
                "answers": [
                    {"answer": "trách nhiệm", "correct": True, "feedback": "Đúng."},
                    {"answer": "Kinh phí", "correct": False, "feedback": "Sai.", "match_case": True},
                    {"answer": "tien do", "correct": False, "fuzzy_threshold": 0.8},
                    {"type": "default", "feedback": "Thử lại."},
                ],
            },
            {
                "type": "many_choice",
                "question": "Không đáp án đúng",
                "answers": [{"answer": "a", "correct": False}],
            },
            {"type": "drag", "question": "?", "answers": [{"answer": "a"}]},
        ]
    )
    result = parse_jupyterquiz(source, "q.json")
    question = result.questions[0]
    assert question.type is QuestionType.SHORT
    assert [(c.text, c.correct, c.feedback) for c in question.choices] == [
        ("trách nhiệm", True, "Đúng."),
        ("Kinh phí", False, "Sai."),
        ("tien do", False, ""),
    ]
    messages = " ".join(note.message for note in result.notes)
    assert "match_case" in messages and "fuzzy_threshold" in messages and "Thử lại." in messages
    assert [notice.where for notice in result.refused] == ["q.json[1]", "q.json[2]"]


def test_import_command_writes_blocks_the_parser_reads_back(
    jupyterquiz_examples: Path,
    content_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    imported,
) -> None:
    code = main(
        [
            *("import-jupyterquiz", str(jupyterquiz_examples), "--module", "jq-mau"),
            *("--content", str(content_copy), "--notebooks", str(tmp_path / "nb")),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"{jupyterquiz_examples}[3]: câu hỏi numeric" in out and "Đã nhập 6 câu hỏi" in out
    module_file = next((content_copy / "modules").glob("*-jq-mau.md"))
    module = parse_module(module_file, (), QuizPolicy(), "x.ipynb", ProblemLog(module_file))
    assert module is not None
    assert [same(q) for q in module.questions] == [same(q) for q in imported.questions]


def test_a_file_that_is_not_a_list_of_questions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('"just a string"', encoding="utf-8")
    assert main(["import-jupyterquiz", str(bad), "--module", "x", "--content", str(tmp_path)]) == 2
    assert "danh sách câu hỏi" in capsys.readouterr().err
