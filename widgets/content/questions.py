"""``question`` blocks → ``Question`` objects, every mistake logged with its line."""

from __future__ import annotations

import functools
import re
import string
import unicodedata
from collections.abc import Collection

from markdown_it.tree import SyntaxTreeNode

from widgets.content.fields import (
    bool_field,
    check_fields,
    cites_field,
    int_field,
    is_valid_id,
    text_field,
)
from widgets.content.markdown import (
    BLOCK,
    Block,
    as_block,
    line_of,
    looks_like_block,
)
from widgets.content.model import Choice, Level, MatchPair, Question, QuestionType, SourceRef
from widgets.content.problems import ProblemLog
from widgets.i18n import t

QUESTION_FIELDS = ("cites", "type", "partial", "tone-insensitive", "points", "level", "interpretive")
TRUE_FALSE_LABELS = ("Đúng", "Sai")
_TASK = re.compile(r"^\[( |x|X)\]\s+(.+)$", re.DOTALL)
_PAIR = re.compile(r"^(.+?)\s*->\s*(.+)$", re.DOTALL)


def parse_question(
    block: Block, lines: list[str], known_clauses: Collection[str], log: ProblemLog
) -> Question | None:
    """Parse one ``question <id>`` block; ``None`` when it is too broken to use."""
    check_fields(block, QUESTION_FIELDS, log)
    question_id = block.args[0] if block.args else ""
    if not question_id or not is_valid_id(question_id):
        log.add(block.line, t("check.question_needs_id"))
        return None
    cites = cites_field(block, known_clauses, log)
    type_name = text_field(block, "type", log) or QuestionType.SINGLE.value
    try:
        qtype = QuestionType(type_name)
    except ValueError:
        kinds = ", ".join(member.value for member in QuestionType)
        log.add(block.fields["type"][0], t("check.unknown_question_type", type_name=type_name, kinds=kinds))
        return None

    stem_nodes: list[SyntaxTreeNode] = []
    answer_list: SyntaxTreeNode | None = None
    extras: dict[str, str] = {}
    for node in block.body:
        if node.type == BLOCK:
            _read_extra(as_block(node), lines, extras, log)
        elif node.type in {"bullet_list", "ordered_list"} and answer_list is None:
            answer_list = node
        elif looks_like_block(node):
            log.add(
                line_of(node),
                t("check.stray_fence_in_question"),
            )
        elif answer_list is None:
            stem_nodes.append(node)
        else:
            log.add(
                line_of(node),
                t("check.content_after_answers"),
            )

    stem = block.markdown(lines, stem_nodes)
    if not stem:
        log.add(block.line, t("check.question_no_stem", question_id=question_id))
    if "explanation" not in extras:
        log.add(block.line, t("check.question_no_explanation", question_id=question_id))
    if answer_list is None:
        log.add(block.line, t("check.question_no_answers", question_id=question_id))
        return None

    question = functools.partial(
        Question,
        id=question_id,
        type=qtype,
        stem=stem,
        cites=cites,
        explanation=extras.get("explanation", ""),
        hint=extras.get("hint", ""),
        source=SourceRef(log.path, block.line),
        points=int_field(block, "points", log, 1),
        partial=bool_field(block, "partial", log),
        tone_insensitive=bool_field(block, "tone-insensitive", log),
        level=_level(block, log),
        interpretive=bool_field(block, "interpretive", log),
    )
    if qtype is QuestionType.MATCHING:
        return question(pairs=_pairs(answer_list, log))
    if qtype is QuestionType.ORDERING:
        return question(order=_ordering(answer_list, log))
    choices = _choices(answer_list, log, qtype)
    _check_choices(qtype, choices, line_of(answer_list), log)
    return question(choices=choices)


def _level(block: Block, log: ProblemLog) -> Level | None:
    """The ``level`` field; its absence is reported by ``neuguong check`` (rules), not here."""
    if "level" not in block.fields:
        return None
    line, value = block.fields["level"]
    try:
        return Level(value)
    except ValueError:
        log.add(line, t("check.unknown_level", value=value))
        return None


def _read_extra(inner: Block, lines: list[str], extras: dict[str, str], log: ProblemLog) -> None:
    if inner.name not in {"explanation", "hint"}:
        log.add(inner.line, t("check.block_not_in_question", inner=inner.name))
        return
    check_fields(inner, (), log)
    body = inner.markdown(lines)
    if not body:
        log.add(inner.line, t("check.block_empty", inner=inner.name))
    extras[inner.name] = body


def item_text(item: SyntaxTreeNode) -> str:
    """The first paragraph of a list item as one line of inline Markdown."""
    first = item.children[0] if item.children else None
    if first is None or first.type != "paragraph":
        return ""
    return " ".join(first.children[0].content.split())


def item_feedback(item: SyntaxTreeNode) -> str:
    """The ``>`` quote under a list item, as Markdown paragraphs."""
    for child in item.children[1:]:
        if child.type == "blockquote":
            texts = [p.children[0].content for p in child.children if p.type == "paragraph"]
            return "\n\n".join(" ".join(part.split()) for part in texts)
    return ""


def _choices(answer_list: SyntaxTreeNode, log: ProblemLog, qtype: QuestionType) -> tuple[Choice, ...]:
    choices = []
    for index, item in enumerate(answer_list.children):
        line = line_of(item)
        match = _TASK.match(item_text(item))
        if match is None:
            log.add(line, t("check.answer_marker"))
            continue
        feedback = item_feedback(item)
        if not feedback:
            log.add(line, t("check.answer_no_feedback"))
        choices.append(
            Choice(
                id=string.ascii_lowercase[index] if index < 26 else f"c{index}",
                text=match.group(2).strip(),
                correct=match.group(1) != " ",
                feedback=feedback,
            )
        )
    return tuple(choices)


def _check_choices(qtype: QuestionType, choices: tuple[Choice, ...], line: int, log: ProblemLog) -> None:
    correct = [choice for choice in choices if choice.correct]
    if not correct:
        log.add(line, t("check.no_right_answer"))
    if qtype is QuestionType.SHORT:
        return
    if len(choices) < 2:
        log.add(line, t("check.choice_needs_two"))
    if qtype in {QuestionType.SINGLE, QuestionType.TRUE_FALSE} and len(correct) > 1:
        log.add(line, t("check.one_right_answer", qtype=qtype.value))
    texts = [unicodedata.normalize("NFC", choice.text) for choice in choices]
    if qtype is QuestionType.TRUE_FALSE and sorted(texts) != sorted(TRUE_FALSE_LABELS):
        log.add(line, t("check.true_false_answers"))
    if len(set(texts)) != len(texts):
        log.add(line, t("check.answers_repeated"))


def _pairs(answer_list: SyntaxTreeNode, log: ProblemLog) -> tuple[MatchPair, ...]:
    pairs = []
    for index, item in enumerate(answer_list.children):
        line = line_of(item)
        match = _PAIR.match(item_text(item))
        if match is None:
            log.add(line, t("check.matching_line"))
            continue
        feedback = item_feedback(item)
        if not feedback:
            log.add(line, t("check.pair_no_feedback"))
        pairs.append(MatchPair(f"p{index + 1}", match.group(1).strip(), match.group(2).strip(), feedback))
    if len(pairs) < 2 or len({pair.category for pair in pairs}) < 2:
        log.add(line_of(answer_list), t("check.matching_needs_two"))
    return tuple(pairs)


def _ordering(answer_list: SyntaxTreeNode, log: ProblemLog) -> tuple[Choice, ...]:
    if answer_list.type != "ordered_list":
        log.add(
            line_of(answer_list),
            t("check.ordering_numbered"),
        )
    items = tuple(
        Choice(id=f"o{index + 1}", text=item_text(item), correct=True, feedback=item_feedback(item))
        for index, item in enumerate(answer_list.children)
    )
    if len(items) < 2:
        log.add(line_of(answer_list), t("check.ordering_needs_two"))
    return items
