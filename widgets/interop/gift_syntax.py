"""GIFT text → records, following Moodle's ``question/format/gift/format.php`` step by step.

Questions are separated by blank lines; lines starting with ``//`` are comments; escapes
``\\~ \\= \\# \\{ \\} \\:`` and ``\\n`` are replaced before anything else is read (``\\\\`` is a
backslash); ``::name::`` names a question; ``$CATEGORY:`` starts a category; a ``[format]``
prefix sets the format of a text; the answer block ``{…}`` decides the type the way Moodle does.
"""

from __future__ import annotations

import dataclasses as dc
import re

from widgets.i18n import t
from widgets.interop.markup import FORMATS

BLANK = "\ue000"
"""Stands for Moodle's ``_____`` where a missing-word answer block was."""

_ESCAPES = {":": "\ue001", "#": "\ue002", "=": "\ue003", "{": "\ue004", "}": "\ue005", "~": "\ue006"}
_NEWLINE = "\ue007"
_BACKSLASH = "\ue008"
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dc.dataclass(frozen=True, slots=True)
class GiftText:
    """A text with escapes resolved, trimmed, and the format it is written in."""

    text: str
    format: str = "moodle"


@dc.dataclass(frozen=True, slots=True)
class GiftAnswer:
    text: GiftText
    weight: float
    """Percent of the mark (100 right, 0 wrong, between: partial credit; may be negative)."""
    feedback: GiftText


@dc.dataclass(frozen=True, slots=True)
class GiftRecord:
    """One blank-line-separated chunk of a GIFT file, read as Moodle reads it."""

    line: int
    """First non-comment line of the chunk."""
    kind: str
    """``category``, ``description``, ``essay``, ``numerical``, ``multichoice``, ``match``,
    ``truefalse``, ``shortanswer`` or ``error``."""
    name: str | None = None
    text: GiftText = GiftText("")
    general_feedback: GiftText = GiftText("")
    answers: tuple[GiftAnswer, ...] = ()
    """Choices (multichoice), accepted answers (shortanswer), ``TRUE``/``FALSE`` (truefalse)."""
    pairs: tuple[tuple[GiftText, str], ...] = ()
    """Matching: (subquestion, subanswer)."""
    single: bool = True
    """Multichoice: one answer (there is an ``=``) or several (only ``~``)."""
    missing_word: bool = False
    category: str = ""
    error: str = ""


def read_gift(source: str) -> list[GiftRecord]:
    """Every chunk of a GIFT file as a record (comment-only chunks are skipped)."""
    records = []
    for line, lines in _chunks(source):
        record = _read_chunk(line, lines)
        if record is not None:
            records.append(record)
    return records


def _chunks(source: str) -> list[tuple[int, list[str]]]:
    """Blank-line-separated groups of trimmed lines, with the line of the first non-comment line."""
    source = source.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    chunks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, raw in enumerate([*source.split("\n"), ""], start=1):
        line = raw.strip()
        if not line:
            if current:
                chunks.append((first, current))
            current, first = [], 0
            continue
        if not first and not line.startswith("//"):
            first = number
        current.append(line)
    return [(first, lines) for first, lines in chunks if first]


def _read_chunk(line: int, lines: list[str]) -> GiftRecord | None:
    text = "\n".join(" " if item.startswith("//") else item for item in lines).strip()
    if not text:
        return None
    text = _escape_pre(text)
    if text.startswith("$CATEGORY:"):
        return GiftRecord(line, "category", category=_post(text[len("$CATEGORY:") :]).strip())

    name = None
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end >= 0:
            name = _post(text[:end]).strip()
            text = text[end + 2 :].strip()

    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        return GiftRecord(line, "description", name, _with_format(text))
    if start < 0 or finish < 0 or finish < start:
        return GiftRecord(line, "error", name, error=t("interop.gift.syntax.braces"))
    answer_text = text[start + 1 : finish].strip()
    missing_word = not text.endswith("}")
    question_text = text[:start] + (BLANK if missing_word else "") + text[finish + 1 :]

    general = ""
    if (separator := answer_text.rfind("####")) >= 0:
        general = answer_text[separator + 4 :]
        answer_text = answer_text[:separator].strip()
    stem = _with_format(question_text)
    record = GiftRecord(
        line,
        _kind(answer_text),
        name,
        stem,
        _with_format(general, stem.format),
        missing_word=missing_word,
    )
    reader = _READERS.get(record.kind)
    return reader(record, answer_text) if reader else record


def _kind(answer_text: str) -> str:
    if answer_text == "":
        return "essay"
    if answer_text.startswith("#"):
        return "numerical"
    if "~" in answer_text:
        return "multichoice"
    if "=" in answer_text and "->" in answer_text:
        return "match"
    check = answer_text
    if answer_text.find("#") > 0:
        check = answer_text[: answer_text.find("#")].strip()
    return "truefalse" if check in _TRUE_FALSE else "shortanswer"


def _multichoice(record: GiftRecord, answer_text: str) -> GiftRecord:
    parts = _split(answer_text.replace("=", "~="), "~")
    if len(parts) < 2:
        return dc.replace(record, kind="error", error=t("interop.gift.syntax.choices_two"))
    answers = []
    for part in parts:
        if part.startswith("="):
            weight, part = 100.0, part[1:]
        elif _WEIGHT.match(part):
            weight, part = _weight(part)
        else:
            weight = 0.0
        answers.append(_answer(part, weight, record.text.format))
    return dc.replace(record, answers=tuple(answers), single="=" in answer_text)


def _match(record: GiftRecord, answer_text: str) -> GiftRecord:
    parts = _split(answer_text, "=")
    if len(parts) < 2:
        return dc.replace(record, kind="error", error=t("interop.gift.syntax.pairs_two"))
    pairs = []
    for part in parts:
        if "->" not in part:
            return dc.replace(
                record, kind="error", error=t("interop.gift.syntax.pair_arrow", part=_post(part))
            )
        item, answer = part.split("->", 1)
        pairs.append((_with_format(item.strip(), record.text.format), _post(answer).strip()))
    return dc.replace(record, pairs=tuple(pairs))


def _truefalse(record: GiftRecord, answer_text: str) -> GiftRecord:
    bits = [*answer_text.split("#", 2), "", ""]
    truth = _TRUE_FALSE[_post(bits[0]).strip()]
    wrong = _with_format(bits[1].strip(), record.text.format)
    right = _with_format(bits[2].strip(), record.text.format)
    true_answer = GiftAnswer(GiftText("TRUE"), 100.0 if truth else 0.0, right if truth else wrong)
    false_answer = GiftAnswer(GiftText("FALSE"), 0.0 if truth else 100.0, wrong if truth else right)
    return dc.replace(record, answers=(true_answer, false_answer))


def _shortanswer(record: GiftRecord, answer_text: str) -> GiftRecord:
    parts = _split(answer_text, "=")
    if not parts:
        return dc.replace(record, kind="error", error=t("interop.gift.syntax.short_one"))
    answers = []
    for part in parts:
        weight, text = _weight(part) if _WEIGHT.match(part) else (100.0, part)
        answers.append(_answer(text, weight, record.text.format))
    return dc.replace(record, answers=tuple(answers))


_READERS = {
    "multichoice": _multichoice,
    "match": _match,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
}


def _split(answer_text: str, mark: str) -> list[str]:
    """Moodle's ``explode`` then drop an empty first piece; every piece trimmed."""
    parts = [part.strip() for part in answer_text.split(mark)]
    if parts and not parts[0]:
        parts = parts[1:]
    return parts


def _weight(part: str) -> tuple[float, str]:
    """``%-50%rest`` → (-50.0, ``rest``), as Moodle's ``answerweightparser``."""
    end = part.index("%", 1)
    number = part[1:end]
    value = float(number.lstrip("-") or 0)
    return (-value if number.startswith("-") else value), part[end + 1 :]


def _answer(part: str, weight: float, default_format: str) -> GiftAnswer:
    text, _, feedback = part.partition("#")
    return GiftAnswer(
        _with_format(text.strip(), default_format),
        weight,
        _with_format(feedback.strip(), default_format),
    )


def _with_format(text: str, default_format: str = "moodle") -> GiftText:
    """Moodle's ``parse_text_with_format``: a leading ``[format]`` sets the format."""
    text_format = default_format
    if text.startswith("[") and (end := text.find("]")) > 0 and text[1:end] in FORMATS:
        text_format, text = text[1:end], text[end + 1 :]
    return GiftText(_post(text).strip(), text_format)


def _escape_pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for char, placeholder in _ESCAPES.items():
        text = text.replace("\\" + char, placeholder)
    return text.replace("\\n", _NEWLINE).replace(_BACKSLASH, "\\")


def _post(text: str) -> str:
    for char, placeholder in _ESCAPES.items():
        text = text.replace(placeholder, char)
    return text.replace(_NEWLINE, "\n")
