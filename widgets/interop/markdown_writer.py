"""``Question`` objects → ``question`` blocks in the syntax of ``content/README.md``.

``writable`` gives a question the exact form the content parser returns for the block that
``question_block`` writes, so writing then parsing gives the same question back.
"""

from __future__ import annotations

import dataclasses as dc
import re
import string
import unicodedata

from markdown_it.tree import SyntaxTreeNode

from widgets.content.markdown import parse_tree
from widgets.content.model import Choice, MatchPair, Question, QuestionType

_FIELD_LINE = re.compile(r"^([a-z][a-z-]*):(\s|$)")
_BLOCK_LINE = re.compile(r"^(\s*)(:{3,})", re.MULTILINE)
_LIST_START = re.compile(r"^(\s*)(?:([-+*])|(\d{1,9})([.)]))(?=\s|$)")


def writable(question: Question) -> Question:
    """The question as the parser will read it back from ``question_block``'s Markdown."""
    return dc.replace(
        question,
        stem=_stem(question.stem),
        explanation=_nested(question.explanation),
        hint=_nested(question.hint),
        choices=tuple(
            Choice(_choice_id(i), inline(c.text), c.correct, feedback(c.feedback))
            for i, c in enumerate(question.choices)
        ),
        pairs=tuple(
            MatchPair(f"p{i + 1}", _item_text(p.item), inline(p.category), feedback(p.feedback))
            for i, p in enumerate(question.pairs)
        ),
        order=tuple(
            Choice(f"o{i + 1}", _item_text(c.text), True, feedback(c.feedback))
            for i, c in enumerate(question.order)
        ),
    )


def question_blocks(questions: tuple[Question, ...] | list[Question]) -> str:
    """Several ``question`` blocks, a blank line between them."""
    return "\n\n".join(question_block(q) for q in questions) + "\n"


def question_block(question: Question) -> str:
    """One ``:::: question <id>`` block (fields, stem, answer list, explanation, hint)."""
    q = writable(question)
    fields = [f"cites: {', '.join(q.cites)}" if q.cites else "cites:"]
    if q.type is not QuestionType.SINGLE:
        fields.append(f"type: {q.type.value}")
    if q.partial:
        fields.append("partial: true")
    if q.tone_insensitive:
        fields.append("tone-insensitive: true")
    if q.points != 1:
        fields.append(f"points: {q.points}")
    parts = [f":::: question {q.id}\n" + "\n".join(fields), q.stem, _answers(q)]
    for name, body in (("explanation", q.explanation), ("hint", q.hint)):
        if body:
            parts.append(f"::: {name}\n{body}\n:::")
    return "\n\n".join(part for part in parts if part) + "\n::::"


def inline(text: str) -> str:
    """One line of inline Markdown, as the parser reads a list item."""
    return " ".join(_nfc(text).split())


def feedback(text: str) -> str:
    """Paragraphs of one line each, as the parser reads a ``>`` quote."""
    paragraphs = (inline(p) for p in re.split(r"\n\s*\n", _nfc(text)))
    return "\n\n".join(_as_paragraph(p) for p in paragraphs if p)


def _item_text(text: str) -> str:
    """A list item's text that stays a paragraph (``- # x`` would be a heading)."""
    return _as_paragraph(inline(text))


def _answers(q: Question) -> str:
    if q.type is QuestionType.MATCHING:
        for pair in q.pairs:
            if "->" in pair.item:
                raise ValueError(f"{q.id}: a matching item cannot hold '->': {pair.item!r}")
        return "\n".join(_item(f"- {p.item} -> {p.category}", p.feedback, 2) for p in q.pairs)
    if q.type is QuestionType.ORDERING:
        return "\n".join(_item(f"{i}. {c.text}", c.feedback, 3) for i, c in enumerate(q.order, 1))
    return "\n".join(_item(f"- [{'x' if c.correct else ' '}] {c.text}", c.feedback, 2) for c in q.choices)


def _item(line: str, text: str, indent: int) -> str:
    if not text:
        return line
    pad = " " * indent
    quoted = f"\n{pad}>\n".join(f"{pad}> {p}" for p in text.split("\n\n"))
    return f"{line}\n{quoted}"


def _choice_id(index: int) -> str:
    return string.ascii_lowercase[index] if index < 26 else f"c{index}"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _stem(text: str) -> str:
    """Stem Markdown without lists (the first list is the answer list) or ``:::`` lines."""
    text = _BLOCK_LINE.sub(r"\1\\\2", _nfc(text).strip())
    for _ in range(100):
        lines = text.split("\n")
        starts = [n.map[0] for n in _top_nodes(text) if n.type in {"bullet_list", "ordered_list"} and n.map]
        if not starts:
            break
        for start in starts:
            for index in range(start, len(lines)):
                if _LIST_START.match(lines[index]):
                    lines[index] = _escape_list_start(lines[index])
                    break
        text = "\n".join(lines)
    return text


def _nested(text: str) -> str:
    """Body of an ``explanation``/``hint`` block: no ``:::`` lines, no leading ``name: value``."""
    text = _BLOCK_LINE.sub(r"\1\\\2", _nfc(text).strip())
    if _FIELD_LINE.match(text):
        name, rest = text.split(":", 1)
        text = f"{name}\\:{rest}"
    return text


def _as_paragraph(text: str) -> str:
    """Escape the first character when the text would not parse as one paragraph."""
    nodes = _top_nodes(text)
    if len(nodes) == 1 and nodes[0].type == "paragraph":
        return text
    match = _LIST_START.match(text)
    if match and match.group(3):
        return _escape_list_start(text)
    return "\\" + text if text and text[0] in string.punctuation else text


def _escape_list_start(line: str) -> str:
    match = _LIST_START.match(line)
    if match is None:
        return line
    indent, bullet, number, delimiter = match.groups()
    rest = line[match.end() :]
    return f"{indent}\\{bullet}{rest}" if bullet else f"{indent}{number}\\{delimiter}{rest}"


def _top_nodes(text: str) -> list[SyntaxTreeNode]:
    return list(parse_tree(text).children)
