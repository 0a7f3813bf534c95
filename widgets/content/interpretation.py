"""``interpretation`` blocks ("Giải thích thêm"): the course's own explanation, nested in a
lesson or a scenario node and shown apart from the Công văn's wording."""

from __future__ import annotations

from collections.abc import Collection

from markdown_it.tree import SyntaxTreeNode

from widgets.content.fields import check_fields, cites_field
from widgets.content.markdown import BLOCK, Block, as_block, source_of
from widgets.content.model import Interpretation, LessonPart, SourceRef
from widgets.content.problems import ProblemLog
from widgets.i18n import t


def lesson_parts(
    block: Block, lines: list[str], nodes: list[SyntaxTreeNode], known: Collection[str], log: ProblemLog
) -> tuple[LessonPart, ...]:
    """The lesson's text runs and its ``interpretation`` boxes, in the order written."""
    parts: list[LessonPart] = []
    run: list[SyntaxTreeNode] = []
    head = [block.head] if block.head else []

    def flush() -> None:
        text = "\n\n".join(p for p in (*head, source_of(lines, run)) if p)
        head.clear()
        if text:
            parts.append(LessonPart(text))
        run.clear()

    for node in nodes:
        if node.type != BLOCK:
            run.append(node)
            continue
        flush()
        parts.append(LessonPart("", parse_interpretation(as_block(node), lines, known, log)))
    flush()
    return tuple(parts)


def parse_interpretation(
    block: Block, lines: list[str], known: Collection[str], log: ProblemLog
) -> Interpretation:
    """A nested ``::: interpretation`` block ("Giải thích thêm"): optional ``cites``."""
    if block.name != "interpretation":
        log.add(block.line, t("check.block_not_in_lesson", block=block.name))
    check_fields(block, ("cites",), log)
    cites = cites_field(block, known, log, required=False)
    body = block.markdown(lines)
    if not body:
        log.add(block.line, t("check.interpretation_empty"))
    return Interpretation(body, cites, SourceRef(log.path, block.line))
