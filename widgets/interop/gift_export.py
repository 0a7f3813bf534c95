"""Our questions → Moodle GIFT: one ``$CATEGORY: <course>/<module>`` per module, ``::id::`` names.

Texts are written ``[markdown]`` (answers and feedback inherit the format) with GIFT's special
characters escaped as Moodle's exporter does. The general feedback ``####`` is the explanation
followed by `` (Căn cứ: <clause IDs>)``.

Multiple choice carries the engine's scoring in Moodle's weights: each right answer weighs
100 / n %. With ``partial: true`` each wrong answer weighs −100 / n %, which is exactly the
engine's "hits minus misses"; without it each wrong answer weighs −100 %, the closest Moodle
comes to all-or-nothing (any wrong pick scores 0). GIFT has no ordering questions: they are
skipped and reported, as is everything else GIFT cannot hold (hints, points, tone-insensitive
short answers, per-pair feedback of matching questions).
"""

from __future__ import annotations

import dataclasses as dc
import re
from collections.abc import Iterable

from widgets.content.model import Course, Module, Question, QuestionType
from widgets.content.questions import TRUE_FALSE_LABELS
from widgets.i18n import t
from widgets.interop.markup import FORMATS

_RESERVED = (
    ("\\", "\\\\"),
    ("#", "\\#"),
    ("=", "\\="),
    ("~", "\\~"),
    ("{", "\\{"),
    ("}", "\\}"),
    (":", "\\:"),
)
_FORMAT_PREFIX = re.compile(r"^\[(?:{})\]".format("|".join(FORMATS)))
_WEIGHT = re.compile(r"^%-*[0-9]{1,2}\.?[0-9]*%")


class NotExportableError(Exception):
    """A question GIFT cannot express; the message says why."""


@dc.dataclass(frozen=True, slots=True)
class GiftExport:
    text: str
    exported: tuple[str, ...]
    """IDs of the questions written."""
    skipped: tuple[tuple[str, str], ...]
    """(question ID, reason) for every question left out."""
    notes: tuple[tuple[str, str], ...]
    """(question ID, what GIFT could not keep) for exported questions."""


def export_gift(course: Course, modules: Iterable[Module] | None = None) -> GiftExport:
    """The questions of ``modules`` (default: every module) as one GIFT file."""
    parts = [f"// {course.title}\n// neuguong gift export: {course.id}\n"]
    exported: list[str] = []
    skipped: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    for module in course.modules if modules is None else modules:
        blocks = []
        for question in module.questions:
            try:
                blocks.append(question_gift(question))
            except NotExportableError as reason:
                skipped.append((question.id, str(reason)))
                continue
            exported.append(question.id)
            if lost := lost_in_gift(question):
                notes.append((question.id, ", ".join(lost)))
        if blocks:
            parts.append(f"$CATEGORY: {course.id}/{module.id}\n")
            parts.extend(blocks)
    return GiftExport("\n".join(parts), tuple(exported), tuple(skipped), tuple(notes))


def question_gift(question: Question) -> str:
    """One question in GIFT, ending with a newline (a blank line must follow it)."""
    writer = _WRITERS.get(question.type)
    if writer is None:
        raise NotExportableError(t("interop.gift.export.no_type", type=question.type.value))
    head = f"// question: {question.id}  type: {question.type.value}\n"
    head += f"::{escape(question.id)}::[markdown]{escape(question.stem)}"
    return head + writer(question) + "\n"


def general_feedback(question: Question) -> str:
    """The explanation, then the clauses it rests on."""
    citation = t("interop.gift.export.citation", clauses=", ".join(question.cites)) if question.cites else ""
    return (question.explanation + citation).strip()


def lost_in_gift(question: Question) -> list[str]:
    """What of an exported question GIFT cannot hold."""
    lost = []
    if question.hint:
        lost.append("hint")
    if question.points != 1:
        lost.append(f"points: {question.points}")
    if question.tone_insensitive:
        lost.append("tone-insensitive")
    if question.type is QuestionType.MATCHING and any(pair.feedback for pair in question.pairs):
        lost.append(t("interop.gift.export.lost.pair_feedback"))
    return lost


def escape(text: str) -> str:
    """Moodle's ``repchar``: escape ``\\ # = ~ { } :`` and write newlines as ``\\n``."""
    for char, escaped in _RESERVED:
        text = text.replace(char, escaped)
    return text.replace("\r", "").replace("\n", "\\n")


def _text(text: str) -> str:
    """An answer or feedback text; a leading ``[html]``-like word is kept as text."""
    return ("[markdown]" if _FORMAT_PREFIX.match(text) else "") + escape(text)


def _answer(mark: str, text: str, feedback: str) -> str:
    line = f"\t{mark}{_text(text)}"
    return line + (f"#{_text(feedback)}" if feedback else "") + "\n"


def _closing(question: Question) -> str:
    feedback = general_feedback(question)
    return (f"\t####{_text(feedback)}\n" if feedback else "") + "}"


def _single(question: Question) -> str:
    body = "{\n"
    for choice in question.choices:
        mark = "=" if choice.correct else ("~%0%" if _WEIGHT.match(choice.text) else "~")
        body += _answer(mark, choice.text, choice.feedback)
    return body + _closing(question)


def _multiple(question: Question) -> str:
    right = sum(choice.correct for choice in question.choices)
    if not right:
        raise NotExportableError(t("interop.gift.export.no_right"))
    share = 100 / right
    wrong = -share if question.partial else -100.0
    body = "{\n"
    for choice in question.choices:
        body += _answer(f"~%{_weight(share if choice.correct else wrong)}%", choice.text, choice.feedback)
    return body + _closing(question)


def _true_false(question: Question) -> str:
    right = next((c for c in question.choices if c.correct), None)
    wrong = next((c for c in question.choices if not c.correct), None)
    if right is None or wrong is None:
        raise NotExportableError(t("interop.gift.export.true_false"))
    body = "{" + ("T" if right.text == TRUE_FALSE_LABELS[0] else "F")
    if wrong.feedback:
        body += f"#{_text(wrong.feedback)}"
    elif right.feedback:
        body += "#"
    if right.feedback:
        body += f"#{_text(right.feedback)}"
    feedback = general_feedback(question)
    return body + (f"####{_text(feedback)}" if feedback else "") + "}"


def _short(question: Question) -> str:
    for choice in question.choices:
        if "->" in choice.text or "->" in choice.feedback:
            raise NotExportableError(t("interop.gift.export.arrow_in_short"))
    body = "{\n"
    for choice in question.choices:
        body += _answer(f"=%{100 if choice.correct else 0}%", choice.text, choice.feedback)
    return body + _closing(question)


def _matching(question: Question) -> str:
    body = "{\n"
    for pair in question.pairs:
        body += f"\t={_text(pair.item)} -> {escape(pair.category)}\n"
    return body + _closing(question)


def _weight(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


_WRITERS = {
    QuestionType.SINGLE: _single,
    QuestionType.MULTIPLE: _multiple,
    QuestionType.TRUE_FALSE: _true_false,
    QuestionType.SHORT: _short,
    QuestionType.MATCHING: _matching,
}
