"""The GIFT parser, one feature at a time, against Moodle's ``format.php`` rules."""

from __future__ import annotations

import pytest

from widgets.content.markdown import plain_text
from widgets.content.model import QuestionType
from widgets.interop.gift_parse import parse_gift
from widgets.interop.gift_syntax import BLANK, read_gift


def one(source: str):
    result = parse_gift(source, "bank.gift")
    assert not result.refused, result.refused
    assert len(result.questions) == 1, result.questions
    return result.questions[0]


def test_questions_are_separated_by_blank_lines_and_comments_are_ignored() -> None:
    source = (
        "// a comment line\n"
        "Q1?{=a ~b}\n"
        "\n"
        "// comment inside the next chunk\n"
        "Q2?{\n"
        "// a comment between answers\n"
        "=c ~d}\n"
        "\n\n"
        "// a chunk of comments only\n"
        "// is no question\n"
    )
    result = parse_gift(source, "bank.gift")
    assert [q.stem for q in result.questions] == ["Q1?", "Q2?"]
    assert [q.source.line for q in result.questions] == [2, 5]
    assert [c.text for c in result.questions[1].choices] == ["c", "d"]


def test_windows_line_endings_and_byte_order_mark() -> None:
    result = parse_gift("\ufeffQ1?{=a ~b}\r\n\r\nQ2?{T}\r\n", "bank.gift")
    assert [(q.stem, q.source.line) for q in result.questions] == [("Q1?", 1), ("Q2?", 3)]


def test_name_becomes_the_id_and_unnamed_questions_get_one_from_their_text() -> None:
    result = parse_gift("::m04-bia-trua::Q?{T}\n\n::Kanji Origins::Q?{T}\n\nThời giờ làm việc?{T}\n", "x")
    assert [q.id for q in result.questions] == ["m04-bia-trua", "kanji-origins", "thoi-gio-lam-viec"]


def test_ids_never_repeat_nor_reuse_taken_ones() -> None:
    result = parse_gift("::a::Q?{T}\n\n::a::Q?{T}\n\n::b::Q?{T}\n", "x", taken={"b"})
    assert [q.id for q in result.questions] == ["a", "a-2", "b-2"]


def test_category_lines_are_collected_not_imported() -> None:
    result = parse_gift("$CATEGORY: cv-1273/tong-quan\n\nQ?{T}\n\n$CATEGORY: other\n", "x")
    assert result.categories == ("cv-1273/tong-quan", "other")
    assert len(result.questions) == 1


@pytest.mark.parametrize(
    ("prefix", "expected_stem"),
    [
        ("[markdown]", "Who's buried in **Grant's tomb**?"),
        ("[plain]", "Who's buried in \\*\\*Grant's tomb\\*\\*?"),
        ("[moodle]", "Who's buried in \\*\\*Grant's tomb\\*\\*?"),
        ("", "Who's buried in \\*\\*Grant's tomb\\*\\*?"),
    ],
)
def test_text_formats(prefix: str, expected_stem: str) -> None:
    question = one(f"{prefix}Who's buried in **Grant's tomb**?{{=no one =nobody}}\n")
    assert question.stem == expected_stem


def test_html_format_is_converted_and_inherited_by_answers() -> None:
    question = one("[html]<p>Chọn <b>một</b> đáp án</p>{=<i>đúng</i>#<code>x_y</code> ~sai}\n")
    assert question.stem == "Chọn **một** đáp án"
    assert question.choices[0].text == "*đúng*"
    assert question.choices[0].feedback == "`x_y`"


def test_answer_and_feedback_can_set_their_own_format() -> None:
    question = one("Q?{=[markdown]**a**#[plain]*b* ~c}\n")
    assert question.choices[0].text == "**a**"
    assert question.choices[0].feedback == "\\*b\\*"


@pytest.mark.parametrize("char", ["~", "=", "#", "{", "}", ":"])
def test_escaped_control_characters_are_text(char: str) -> None:
    question = one(f"::n::Q \\{char} here?{{=right \\{char}#because \\{char} ~wrong}}\n")
    assert question.stem == f"Q {char} here?"
    assert question.choices[0].text == f"right {char}"
    assert question.choices[0].feedback == f"because {char}"


def test_escaped_newline_and_backslash() -> None:
    question = one("[markdown]Line one\\nline two \\\\n{=a \\\\ b ~c}\n")
    assert question.stem == "Line one\nline two \\n"
    assert question.choices[0].text == "a \\ b"


def test_single_choice_with_feedback_and_general_feedback() -> None:
    question = one("Q?{\n=right#Very good!\n~wrong#No.\n####Because.\n}\n")
    assert question.type is QuestionType.SINGLE
    assert [(c.text, c.correct, c.feedback) for c in question.choices] == [
        ("right", True, "Very good!"),
        ("wrong", False, "No."),
    ]
    assert question.explanation == "Because."
    assert question.cites == ()


def test_single_choice_partial_credit_is_imported_as_wrong_with_a_note() -> None:
    result = parse_gift("Q?{~wrong ~%50%half =full}\n", "bank.gift")
    assert [c.correct for c in result.questions[0].choices] == [False, False, True]
    assert len(result.notes) == 1
    assert result.notes[0].where == "bank.gift:1" and "50%" in result.notes[0].message


def test_single_choice_with_two_full_answers_is_refused() -> None:
    result = parse_gift("Q?{=a =b ~c}\n", "bank.gift")
    assert not result.questions
    assert result.refused[0].where == "bank.gift:1"


def test_multiple_answers_with_negative_weights_map_to_partial_credit() -> None:
    question = one("Q?{~%-50%No one ~%50%Grant ~%50%Grant's wife ~%-50%Grant's father}\n")
    assert question.type is QuestionType.MULTIPLE
    assert question.partial
    assert [c.correct for c in question.choices] == [False, True, True, False]


def test_multiple_answers_with_minus_100_wrong_answers_are_all_or_nothing() -> None:
    question = one("Q?{~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-100%d}\n")
    assert question.type is QuestionType.MULTIPLE
    assert not question.partial


def test_multiple_answers_with_zero_weight_wrong_answers_get_a_note() -> None:
    result = parse_gift("Q?{~No ~%50%A ~%50%B}\n", "x")
    assert result.questions[0].partial
    assert "0%" in result.notes[0].message


def test_uneven_weights_get_a_note() -> None:
    result = parse_gift("Q?{~%70%A ~%30%B ~%-50%C}\n", "x")
    assert [c.correct for c in result.questions[0].choices] == [True, True, False]
    assert any("70%" in note.message for note in result.notes)


@pytest.mark.parametrize(
    ("answer", "truth"),
    [("T", True), ("TRUE", True), ("F", False), ("FALSE", False)],
)
def test_true_false(answer: str, truth: bool) -> None:
    question = one(f"Grant is buried in Grant's tomb.{{{answer}}}\n")
    assert question.type is QuestionType.TRUE_FALSE
    assert [(c.text, c.correct) for c in question.choices] == [("Đúng", truth), ("Sai", not truth)]


def test_true_false_feedback_goes_to_the_wrong_then_the_right_answer() -> None:
    question = one("Q.{FALSE#fb if answered wrong#fb if right####general}\n")
    by_text = {c.text: c.feedback for c in question.choices}
    assert by_text == {"Đúng": "fb if answered wrong", "Sai": "fb if right"}
    assert question.explanation == "general"


def test_short_answer_keeps_answers_literal() -> None:
    question = one("Who?{=no one =nobody =%0%a_b#Chưa đúng}\n")
    assert question.type is QuestionType.SHORT
    assert [(c.text, c.correct, c.feedback) for c in question.choices] == [
        ("no one", True, ""),
        ("nobody", True, ""),
        ("a_b", False, "Chưa đúng"),
    ]


def test_short_answer_partial_credit_becomes_a_wrong_answer_with_a_note() -> None:
    result = parse_gift("From {=Nazareth =%75%Nazereth#misspelled}.\n", "x")
    assert [c.correct for c in result.questions[0].choices] == [True, False]
    assert "75%" in result.notes[0].message


def test_matching() -> None:
    question = one("Match.{=Canada -> Ottawa =Italy->Rome ####Capitals.}\n")
    assert question.type is QuestionType.MATCHING
    assert [(p.item, p.category) for p in question.pairs] == [("Canada", "Ottawa"), ("Italy", "Rome")]
    assert question.explanation == "Capitals."


def test_missing_word_puts_a_blank_where_the_answers_were() -> None:
    records = read_gift("Grant is {~buried =entombed ~living} in Grant's tomb.\n")
    assert records[0].missing_word and BLANK in records[0].text.text
    question = one("Grant is {~buried =entombed ~living} in Grant's tomb.\n")
    assert question.stem == "Grant is _____ in Grant's tomb."
    assert plain_text(question.stem) == "Grant is _____ in Grant's tomb."


def test_answers_at_the_very_end_are_no_missing_word() -> None:
    assert one("Who is it?{=a ~b}\n").stem == "Who is it?"


@pytest.mark.parametrize(
    ("source", "word"),
    [
        ("When was Grant born?{#1822:5}", "numerical"),
        ("Pi? {#3.141..3.142}.", "numerical"),
        ("Born?{#\n=1822:0\n=%50%1822:2}", "numerical"),
        ("Write an essay.{}", "essay"),
        ("Just a description with no braces.", "description"),
    ],
)
def test_types_the_engine_lacks_are_refused_with_their_line(source: str, word: str) -> None:
    result = parse_gift(f"Q?{{=a ~b}}\n\n// comment\n{source}\n\nQ2?{{T}}\n", "bank.gift")
    assert [q.stem for q in result.questions] == ["Q?", "Q2?"]
    assert len(result.refused) == 1
    assert result.refused[0].where == "bank.gift:4"
    assert word in result.refused[0].message
    assert str(result.refused[0]).startswith("bank.gift:4: ")


@pytest.mark.parametrize(
    "source",
    [
        "Missing brace {=a ~b",
        "Only one choice {~a}",
        "Bad pair {=a -> b =c}",
        "Empty category {=a -> b =c -> }",
    ],
)
def test_broken_questions_are_refused_not_guessed(source: str) -> None:
    result = parse_gift(source + "\n", "bank.gift")
    assert not result.questions
    assert [notice.where for notice in result.refused] == ["bank.gift:1"]


def test_matching_distractor_without_item_is_dropped_with_a_note() -> None:
    result = parse_gift("M.{=a -> b =c -> d = -> extra}\n", "x")
    assert [(p.item, p.category) for p in result.questions[0].pairs] == [("a", "b"), ("c", "d")]
    assert any("extra" in note.message for note in result.notes)


def test_markdown_structure_in_plain_text_cannot_break_the_block() -> None:
    question = one("::q::- not a list\n1. nor this\n::: nor a block{=a#- b ~c#\\# d}\n")
    assert question.stem.splitlines() == ["\\- not a list", "1\\. nor this", "\\::: nor a block"]
    assert question.choices[0].feedback == "\\- b"
    assert question.choices[1].feedback == "\\# d"
