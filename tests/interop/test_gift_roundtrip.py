"""GIFT export, and the round trip: exporting the course and importing the result gives the same
questions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from widgets.cli import main
from widgets.content.course import load_course
from widgets.content.model import Choice, Course, MatchPair, Question, QuestionType, QuizPolicy, SourceRef
from widgets.content.module import parse_module
from widgets.content.problems import ProblemLog
from widgets.interop.gift_export import export_gift, question_gift
from widgets.interop.gift_parse import parse_gift

from .conftest import FIXTURE_COURSE

_CITED = re.compile(r"\s*\(Căn cứ: [^)]*\)$")


def comparable(question: Question, *, exported: bool) -> dict[str, object]:
    """The fields a GIFT round trip keeps (type, stem, choices, pairs, explanation)."""
    explanation = question.explanation
    if exported:  # the general feedback is the explanation + " (Căn cứ: …)"
        explanation = _CITED.sub("", explanation)
    right = sum(choice.correct for choice in question.choices)
    return {
        "id": question.id,
        "type": question.type,
        "stem": question.stem,
        "choices": [(c.text, c.correct, c.feedback) for c in question.choices],
        "pairs": [(p.item, p.category) for p in question.pairs],
        "explanation": explanation,
        # with one right answer, partial and all-or-nothing score alike (and export alike)
        "partial": question.partial if question.type is QuestionType.MULTIPLE and right > 1 else None,
    }


@pytest.fixture(scope="module")
def course(course_dir: Path) -> Course:
    return load_course(course_dir)


@pytest.mark.parametrize("which", ["course", "fixture"])
def test_round_trip_over_the_whole_course(which: str, course: Course) -> None:
    course = course if which == "course" else load_course(FIXTURE_COURSE)
    export = export_gift(course)
    result = parse_gift(export.text, "bank.gift")
    assert result.refused == ()
    gifted = [q for q in course.questions if q.type is not QuestionType.ORDERING]
    assert list(export.exported) == [q.id for q in gifted]
    assert [comparable(q, exported=True) for q in result.questions] == [
        comparable(q, exported=False) for q in gifted
    ]
    assert result.categories == tuple(f"{course.id}/{m.id}" for m in course.modules if m.questions)


def test_round_trip_through_the_commands_and_the_content_parser(
    course_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], course: Course
) -> None:
    """``gift export`` > file, ``gift import`` into a fresh module, parse the Markdown written."""
    assert main(["gift", "export", "--content", str(course_dir)]) == 0
    captured = capsys.readouterr()
    bank = tmp_path / "bank.gift"
    bank.write_text(captured.out, encoding="utf-8")
    ordering = [q.id for q in course.questions if q.type is QuestionType.ORDERING]
    assert [line.split(":")[0] for line in captured.err.splitlines() if line.startswith("bỏ qua")] == [
        f"bỏ qua {question_id}" for question_id in ordering
    ]

    target = tmp_path / "target"
    target.mkdir()
    (target / "directive.md").write_text((FIXTURE_COURSE / "directive.md").read_text(encoding="utf-8"))
    (target / "course.yml").write_text("id: rt\ntitle: Round trip\nmodules:\n  - file: modules/none.md\n")
    code = main(
        [
            "gift",
            "import",
            str(bank),
            "--module",
            "rt",
            "--content",
            str(target),
            "--notebooks",
            str(tmp_path / "nb"),
        ]
    )
    assert code == 0, capsys.readouterr()
    module_file = target / "modules" / "01-rt.md"
    module = parse_module(module_file, (), QuizPolicy(), "x.ipynb", ProblemLog(module_file))
    assert module is not None
    gifted = [q for q in course.questions if q.type is not QuestionType.ORDERING]
    assert [comparable(q, exported=True) for q in module.questions] == [
        comparable(q, exported=False) for q in gifted
    ]


def test_export_of_the_fixture_course_in_gift_syntax() -> None:
    course = load_course(FIXTURE_COURSE)
    text = export_gift(course).text
    assert "$CATEGORY: fixture/tong-quan\n" in text
    assert "::q-ban-hanh::[markdown]Ai ban hành Công văn số 1/MAU?{" in text
    assert "\t=Ủy ban nhân dân tỉnh Mẫu#Đúng\\: văn bản ghi rõ cơ quan ban hành.\n" in text
    assert "\t####Công văn số 1/MAU là văn bản của Ủy ban nhân dân tỉnh Mẫu. (Căn cứ\\: doc)\n}" in text
    assert (
        "{F#Chưa đúng\\: không uống rượu, bia *trước* giờ làm việc.#Đúng\\: cấm cả trước và trong giờ"
        " làm việc.####Không uống rượu, bia trước và trong giờ làm việc. (Căn cứ\\: officials.1)}"
    ) in text
    assert "\t=Uống bia trước giờ làm việc -> Bị cấm\n" in text
    assert "\t=%100%UBND tỉnh Mẫu#Đúng.\n\t=%0%Bộ Nội vụ#Chưa đúng\\: đó là cơ quan khác.\n" in text
    assert "q-thu-tu" not in text
    assert export_gift(course).skipped == (("q-thu-tu", "GIFT không có loại câu hỏi ordering"),)


def _multiple(partial: bool, right: int, wrong: int) -> Question:
    choices = [Choice(f"c{i}", f"đúng {i}", True, "") for i in range(right)]
    choices += [Choice(f"w{i}", f"sai {i}", False, "") for i in range(wrong)]
    return Question(
        "q", QuestionType.MULTIPLE, "Chọn?", ("doc",), "", SourceRef("", 0), tuple(choices), partial=partial
    )


@pytest.mark.parametrize("right", [1, 2, 3, 6])
def test_multiple_choice_weights_sum_to_100_and_wrong_answers_are_negative(right: int) -> None:
    for partial in (True, False):
        weights = [
            float(w) for w in re.findall(r"~%(-?[0-9.]+)%", question_gift(_multiple(partial, right, 2)))
        ]
        assert abs(sum(weights[:right]) - 100) < 0.001
        expected_wrong = -100 / right if partial else -100
        assert weights[right:] == pytest.approx([expected_wrong] * 2, abs=1e-4)


def test_special_characters_survive_export_and_import() -> None:
    special = "a \\ b ~ c = d # e { f } g : h\nline two"
    question = Question(
        "dac-biet",
        QuestionType.SINGLE,
        "Đề có " + special,
        ("doc",),
        "Giải thích " + special,
        SourceRef("", 0),
        choices=(
            Choice("a", "Đúng: {x} = ~y", True, "Phản hồi #1: \\ ok"),
            Choice("b", "[html] is text", False, "%50% is text"),
            Choice("c", "%25% not a weight", False, "x"),
        ),
    )
    gift = question_gift(question)
    assert "\\~ c \\= d \\# e \\{ f \\} g \\: h\\nline two" in gift
    back = parse_gift(gift, "x").questions[0]
    assert back.stem == question.stem
    assert [(c.text, c.correct, c.feedback) for c in back.choices] == [
        (c.text, c.correct, c.feedback) for c in question.choices
    ]
    assert back.explanation == "Giải thích " + special + " (Căn cứ: doc)"


def test_matching_items_and_categories_with_special_characters() -> None:
    question = Question(
        "ghep",
        QuestionType.MATCHING,
        "Ghép",
        (),
        "",
        SourceRef("", 0),
        pairs=(MatchPair("p1", "x = 1", "nhóm: A", ""), MatchPair("p2", "y ~ 2", "nhóm {B}", "")),
    )
    back = parse_gift(question_gift(question), "x").questions[0]
    assert [(p.item, p.category) for p in back.pairs] == [("x = 1", "nhóm: A"), ("y ~ 2", "nhóm {B}")]


def test_export_of_one_module_and_an_unknown_module(
    course_dir: Path, course: Course, capsys: pytest.CaptureFixture[str]
) -> None:
    module = next(m for m in course.modules if m.questions)
    assert main(["gift", "export", "--module", module.id, "--content", str(course_dir)]) == 0
    out = capsys.readouterr().out
    assert out.count("$CATEGORY:") == 1 and f"$CATEGORY: {course.id}/{module.id}" in out
    assert main(["gift", "export", "--module", "khong-co", "--content", str(course_dir)]) == 2
    assert "không có học phần 'khong-co'" in capsys.readouterr().err
