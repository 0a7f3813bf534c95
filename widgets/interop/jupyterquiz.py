"""jupyterquiz JSON → our questions.

``multiple_choice`` becomes a single-choice question (or multiple choice when more than one
answer is correct, as jupyterquiz itself decides), ``many_choice`` a multiple-choice question
(all-or-nothing, like jupyterquiz) and ``string`` a short-answer question. ``numeric`` has no
counterpart in the engine and is refused with its index. A ``code`` answer becomes inline code,
a question's ``code`` a code block under the question text.
"""

from __future__ import annotations

import dataclasses as dc
import functools
import json
import re

from widgets.content.model import Choice, Question, QuestionType, SourceRef
from widgets.i18n import t
from widgets.interop.imported import ImportResult, Notice
from widgets.interop.markdown_writer import writable
from widgets.interop.markup import to_markdown
from widgets.interop.naming import unique_id
from widgets.jsonvalue import JsonValue

REFUSED_TYPES = frozenset({"numeric"})
"""jupyterquiz types the scorer has no type for; each has its reason as ``interop.jupyterquiz.<type>``."""


class _RefusedError(Exception):
    """A question that cannot become one of ours (the message says why)."""


def parse_jupyterquiz(source: str, path: str = "<json>", taken: set[str] | None = None) -> ImportResult:
    """Questions from a jupyterquiz JSON list; raises ``ValueError`` when it is not one."""
    data: JsonValue = json.loads(source)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError(t("interop.jupyterquiz.not_list"))
    taken = set(taken or ())
    questions: list[Question] = []
    refused: list[Notice] = []
    notes: list[Notice] = []
    for index, item in enumerate(data):
        where = f"{path}[{index}]"
        item_notes: list[str] = []
        try:
            question = _convert(item, item_notes)
        except _RefusedError as error:
            refused.append(Notice(where, str(error)))
            continue
        stem = item.get("question", "") if isinstance(item, dict) else ""
        name = re.sub(r"<[^>]+>", " ", str(stem))
        question_id = unique_id(name, taken)
        questions.append(writable(_replace_id(question, question_id, path)))
        notes.extend(Notice(where, f"{question_id}: {note}") for note in item_notes)
    return ImportResult(tuple(questions), tuple(refused), tuple(notes))


def _convert(item: JsonValue, notes: list[str]) -> Question:
    if not isinstance(item, dict):
        raise _RefusedError(t("interop.jupyterquiz.question_not_object"))
    kind = str(item.get("type", ""))
    if kind in REFUSED_TYPES:
        raise _RefusedError(t(f"interop.jupyterquiz.{kind}"))
    answers = item.get("answers")
    if not isinstance(answers, list) or not answers:
        raise _RefusedError(t("interop.jupyterquiz.no_answers"))
    stem = to_markdown(str(item.get("question", "")), "html")
    if code := item.get("code"):
        stem = f"{stem}\n\n{_code_block(str(code))}".strip()
    question = functools.partial(
        Question, id="", stem=stem, cites=(), explanation="", source=SourceRef("", 0)
    )
    if kind == "string":
        return question(type=QuestionType.SHORT, choices=_string_answers(answers, notes))
    if kind not in {"multiple_choice", "many_choice"}:
        raise _RefusedError(t("interop.jupyterquiz.unknown_type", kind=kind))
    choices = _choice_answers(answers)
    right = sum(choice.correct for choice in choices)
    if not right:
        raise _RefusedError(t("interop.jupyterquiz.no_right"))
    qtype = QuestionType.MULTIPLE if kind == "many_choice" or right > 1 else QuestionType.SINGLE
    return question(type=qtype, choices=choices)


def _choice_answers(answers: list[JsonValue]) -> tuple[Choice, ...]:
    choices = []
    for number, answer in enumerate(answers, start=1):
        if not isinstance(answer, dict):
            raise _RefusedError(t("interop.jupyterquiz.answer_not_object", number=number))
        parts = [to_markdown(str(answer["answer"]), "html")] if answer.get("answer") not in (None, "") else []
        if answer.get("code") not in (None, ""):
            parts.append(_inline_code(str(answer["code"])))
        if not parts:
            raise _RefusedError(t("interop.jupyterquiz.answer_no_text", number=number))
        feedback = to_markdown(str(answer.get("feedback", "")), "html")
        choices.append(Choice(f"c{number}", " ".join(parts), answer.get("correct") is True, feedback))
    return tuple(choices)


def _string_answers(answers: list[JsonValue], notes: list[str]) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    for answer in answers:
        if not isinstance(answer, dict):
            raise _RefusedError(t("interop.jupyterquiz.answers_not_objects"))
        feedback = to_markdown(str(answer.get("feedback", "")), "html")
        if answer.get("type") == "default":
            notes.append(t("interop.jupyterquiz.default_feedback", feedback=feedback))
            continue
        if answer.get("match_case"):
            notes.append(t("interop.jupyterquiz.match_case", answer=answer.get("answer")))
        if "fuzzy_threshold" in answer:
            notes.append(t("interop.jupyterquiz.fuzzy", answer=answer.get("answer")))
        text = " ".join(str(answer.get("answer", "")).split())
        if not text:
            raise _RefusedError(t("interop.jupyterquiz.answer_empty"))
        choices.append(Choice(f"c{len(choices)}", text, answer.get("correct") is True, feedback))
    if not any(choice.correct for choice in choices):
        raise _RefusedError(t("interop.jupyterquiz.no_right"))
    return tuple(choices)


def _inline_code(code: str) -> str:
    """``code`` as a Markdown code span, its delimiter longer than any backtick run inside."""
    code = " ".join(code.split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def _code_block(code: str) -> str:
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", code)), default=0) + 1)
    return f"{fence}\n{code.rstrip()}\n{fence}"


def _replace_id(question: Question, question_id: str, path: str) -> Question:
    return dc.replace(question, id=question_id, source=SourceRef(path, 0))
