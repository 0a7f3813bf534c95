"""The Markdown writer: what it writes, the content parser reads back as the same question."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.content.course import load_course
from widgets.content.markdown import as_block, parse_tree
from widgets.content.model import Choice, MatchPair, Question, QuestionType, SourceRef
from widgets.content.problems import ProblemLog
from widgets.content.questions import parse_question
from widgets.interop.markdown_writer import question_block, question_blocks, writable

from .conftest import FIXTURE_COURSE, same


def read_back(text: str, known: tuple[str, ...] = ()) -> tuple[list[Question], list[str]]:
    lines = text.splitlines()
    log = ProblemLog(Path("written.md"))
    questions = []
    for node in parse_tree(text).children:
        question = parse_question(as_block(node), lines, known, log)
        assert question is not None, log.problems
        questions.append(question)
    return questions, [p.message for p in log.problems]


@pytest.mark.parametrize("which", ["course", "fixture"])
def test_every_question_of_the_course_is_written_back_as_it_was_read(which: str, course_dir: Path) -> None:
    course = load_course(course_dir if which == "course" else FIXTURE_COURSE)
    questions, problems = read_back(question_blocks(course.questions), course.directive.clause_ids)
    assert problems == []
    assert [(q.id, q.cites, same(q)) for q in questions] == [
        (q.id, q.cites, same(q)) for q in course.questions
    ]
    assert all(same(writable(q)) == same(q) for q in course.questions)


def test_the_syntax_of_the_content_readme() -> None:
    question = Question(
        "tq-co-quan",
        QuestionType.MULTIPLE,
        "Cơ quan nào?",
        ("doc", "doc.to"),
        "Giải thích.",
        SourceRef("", 0),
        choices=(Choice("a", "UBND tỉnh", True, "Đúng."), Choice("b", "Bộ", False, "Sai.\n\nVì thế.")),
        hint="Gợi ý.",
        partial=True,
        points=2,
    )
    assert question_block(question) == (
        ":::: question tq-co-quan\n"
        "cites: doc, doc.to\n"
        "type: multiple\n"
        "partial: true\n"
        "points: 2\n"
        "\n"
        "Cơ quan nào?\n"
        "\n"
        "- [x] UBND tỉnh\n"
        "  > Đúng.\n"
        "- [ ] Bộ\n"
        "  > Sai.\n"
        "  >\n"
        "  > Vì thế.\n"
        "\n"
        "::: explanation\nGiải thích.\n:::\n"
        "\n"
        "::: hint\nGợi ý.\n:::\n"
        "::::"
    )


def test_matching_and_ordering_lists() -> None:
    matching = Question(
        "ghep", QuestionType.MATCHING, "Ghép.", (), "", SourceRef("", 0),
        pairs=(MatchPair("p1", "Việc A", "Nhóm 1", "Vì A."), MatchPair("p2", "# Việc B", "Nhóm 2", "")),
    )  # fmt: skip
    ordering = Question(
        "thu-tu", QuestionType.ORDERING, "Sắp xếp.", (), "", SourceRef("", 0),
        order=(Choice("o1", "Một", True, "Trước."), Choice("o2", "2. Hai", True, "")),
    )  # fmt: skip
    text = question_blocks([matching, ordering])
    assert "- Việc A -> Nhóm 1\n  > Vì A.\n- \\# Việc B -> Nhóm 2\n" in text
    assert "1. Một\n   > Trước.\n2. 2\\. Hai\n" in text
    questions, _ = read_back(text)
    assert [same(q) for q in questions] == [same(writable(matching)), same(writable(ordering))]


def test_imported_text_cannot_break_the_block_structure() -> None:
    question = Question(
        "kho",
        QuestionType.SINGLE,
        "Đề:\n\n- một dòng như danh sách\n\n:::: question chen-vao\n\n1) cũng vậy",
        (),
        "note: trông như một trường\n\n:::\nvẫn là giải thích",
        SourceRef("", 0),
        choices=(
            Choice("a", "  nhiều\n dòng  ", True, "> như trích dẫn"),
            Choice("b", "sai", False, "1. như danh sách\n\n## như tiêu đề"),
        ),
    )
    questions, problems = read_back(question_block(question))
    assert [p for p in problems if "cites" not in p] == []
    back = questions[0]
    assert same(back) == same(writable(question))
    assert back.stem.count("\n") == question.stem.count("\n")
    assert [c.text for c in back.choices] == ["nhiều dòng", "sai"]
    assert back.choices[1].feedback == "1\\. như danh sách\n\n\\## như tiêu đề"
    assert back.explanation.startswith("note\\: trông như một trường")


def test_questions_without_citations_get_an_empty_cites_field_the_checker_flags() -> None:
    choices = (Choice("a", "Đúng", True, "Ừ."), Choice("b", "Sai", False, "Không."))
    question = Question("q", QuestionType.TRUE_FALSE, "Đúng không?", (), "Vì.", SourceRef("", 0), choices)
    text = question_block(question)
    assert text.startswith(":::: question q\ncites:\ntype: true-false\n\n")
    _, problems = read_back(text)
    assert problems == ["question thiếu trường 'cites' (mã điều khoản của Công văn)"]
