"""GIFT → our questions: every type the engine has is imported, every other one refused with its line.

Moodle's numerical ``{#…}``, essay ``{}`` and description (no answer block) questions have no
counterpart in the engine and are refused. Partial credit the engine cannot give (a 50 % answer
in a single-choice question, a 75 % short answer, uneven weights) is imported as close as the
engine allows and reported as a note.
"""

from __future__ import annotations

import dataclasses as dc
import functools
from collections.abc import Callable

from widgets.content.model import Choice, MatchPair, Question, QuestionType, SourceRef
from widgets.content.questions import TRUE_FALSE_LABELS
from widgets.i18n import t
from widgets.interop.gift_syntax import BLANK, GiftAnswer, GiftRecord, GiftText, read_gift
from widgets.interop.imported import ImportResult, Notice
from widgets.interop.markdown_writer import writable
from widgets.interop.markup import escape_plain, to_markdown
from widgets.interop.naming import unique_id

MISSING_WORD = "_____"
REFUSED_KINDS = frozenset({"numerical", "essay", "description"})
"""GIFT kinds the scorer has no type for; each has its reason as ``interop.gift.refused.<kind>``."""


class _RefusedError(Exception):
    """A record that cannot become one of our questions (the message says why)."""


def parse_gift(source: str, path: str = "<gift>", taken: set[str] | None = None) -> ImportResult:
    """Questions from GIFT text; IDs come from ``::name::`` (or the text) and avoid ``taken``."""
    taken = set(taken or ())
    questions: list[Question] = []
    refused: list[Notice] = []
    notes: list[Notice] = []
    categories: list[str] = []
    for record in read_gift(source):
        where = f"{path}:{record.line}"
        if record.kind == "category":
            categories.append(record.category)
            continue
        if record.kind in REFUSED_KINDS:
            refused.append(Notice(where, t(f"interop.gift.refused.{record.kind}")))
            continue
        if record.kind == "error":
            refused.append(Notice(where, t("interop.gift.invalid", error=record.error)))
            continue
        record_notes: list[str] = []
        try:
            question = _convert(record, record_notes)
        except _RefusedError as error:
            refused.append(Notice(where, str(error)))
            continue
        question_id = unique_id(record.name or _plain(record.text), taken)
        questions.append(writable(_with_source(question, question_id, path, record.line)))
        notes.extend(Notice(where, f"{question_id}: {note}") for note in record_notes)
    return ImportResult(tuple(questions), tuple(refused), tuple(notes), tuple(categories))


def _convert(record: GiftRecord, notes: list[str]) -> Question:
    stem = _markdown(record.text).replace(BLANK, MISSING_WORD)
    question = functools.partial(
        Question,
        id="",
        stem=stem,
        cites=(),
        explanation=_markdown(record.general_feedback),
        source=SourceRef("", 0),
    )
    if record.kind == "truefalse":
        return question(type=QuestionType.TRUE_FALSE, choices=_true_false(record.answers))
    if record.kind == "match":
        return question(type=QuestionType.MATCHING, pairs=_pairs(record, notes))
    if record.kind == "shortanswer":
        return question(type=QuestionType.SHORT, choices=_short(record.answers, notes))
    if record.single:
        return question(type=QuestionType.SINGLE, choices=_single(record.answers, notes))
    choices, partial = _multiple(record.answers, notes)
    return question(type=QuestionType.MULTIPLE, choices=choices, partial=partial)


def _true_false(answers: tuple[GiftAnswer, ...]) -> tuple[Choice, ...]:
    true_answer, false_answer = answers
    return (
        Choice("a", TRUE_FALSE_LABELS[0], true_answer.weight >= 100, _markdown(true_answer.feedback)),
        Choice("b", TRUE_FALSE_LABELS[1], false_answer.weight >= 100, _markdown(false_answer.feedback)),
    )


def _single(answers: tuple[GiftAnswer, ...], notes: list[str]) -> tuple[Choice, ...]:
    right = [a for a in answers if a.weight >= 100]
    if len(right) > 1:
        raise _RefusedError(t("interop.gift.many_right", count=len(right)))
    _note_partial_credit(answers, notes, t("interop.gift.what.single"))
    return _choices(answers, lambda a: a.weight >= 100)


def _multiple(answers: tuple[GiftAnswer, ...], notes: list[str]) -> tuple[tuple[Choice, ...], bool]:
    right = [a for a in answers if a.weight > 0]
    wrong = [a for a in answers if a.weight <= 0]
    if not right:
        raise _RefusedError(t("interop.gift.no_positive_weight"))
    share = 100 / len(right)
    if any(abs(a.weight - share) > 0.01 for a in right):
        weights = ", ".join(f"{_number(a.weight)}%" for a in right)
        notes.append(t("interop.gift.right_weights", weights=weights, share=_number(share)))
    partial = not all(a.weight <= -100 for a in wrong)
    if partial and any(abs(a.weight + share) > 0.01 for a in wrong):
        weights = ", ".join(sorted({f"{_number(a.weight)}%" for a in wrong}))
        notes.append(t("interop.gift.wrong_weights", weights=weights, share=_number(share)))
    return _choices(answers, lambda a: a.weight > 0), partial


def _short(answers: tuple[GiftAnswer, ...], notes: list[str]) -> tuple[Choice, ...]:
    """Accepted and anticipated answers; their text is kept literal (it is compared, not shown)."""
    if not any(a.weight >= 100 for a in answers):
        raise _RefusedError(t("interop.gift.short_no_full"))
    _note_partial_credit(answers, notes, t("interop.gift.what.short"))
    literal = tuple(dc.replace(a, text=GiftText(a.text.text, "markdown")) for a in answers)
    return _choices(literal, lambda a: a.weight >= 100)


def _choices(answers: tuple[GiftAnswer, ...], is_right: Callable[[GiftAnswer], bool]) -> tuple[Choice, ...]:
    choices = []
    for index, answer in enumerate(answers):
        text = _markdown(answer.text)
        if not text:
            raise _RefusedError(t("interop.gift.answer_empty", number=index + 1))
        choices.append(Choice(f"c{index}", text, bool(is_right(answer)), _markdown(answer.feedback)))
    return tuple(choices)


def _pairs(record: GiftRecord, notes: list[str]) -> tuple[MatchPair, ...]:
    pairs: list[MatchPair] = []
    for item, category in record.pairs:
        if not category:
            raise _RefusedError(t("interop.gift.pair_no_group", text=item.text))
        if not item.text:
            notes.append(t("interop.gift.extra_match", category=category))
            continue
        pairs.append(MatchPair(f"p{len(pairs) + 1}", _markdown(item), escape_plain(category), ""))
    if len(pairs) < 2 or len({pair.category for pair in pairs}) < 2:
        raise _RefusedError(t("interop.gift.matching_needs_two"))
    notes.append(t("interop.gift.matching_feedback"))
    return tuple(pairs)


def _note_partial_credit(answers: tuple[GiftAnswer, ...], notes: list[str], what: str) -> None:
    for answer in answers:
        if 0 < answer.weight < 100:
            notes.append(
                t(
                    "interop.gift.partial_weight",
                    text=answer.text.text,
                    weight=_number(answer.weight),
                    what=what,
                )
            )


def _markdown(text: GiftText) -> str:
    return to_markdown(text.text, text.format)


def _plain(text: GiftText) -> str:
    return " ".join(text.text.replace(BLANK, " ").split())


def _number(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _with_source(question: Question, question_id: str, path: str, line: int) -> Question:
    return dc.replace(question, id=question_id, source=SourceRef(path, line))
