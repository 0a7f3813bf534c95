"""Glossary (``term`` blocks) and Hỏi đáp (``faq`` blocks)."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from widgets.content.documents import read_document
from widgets.content.fields import check_fields, cites_field
from widgets.content.model import FaqEntry, SourceRef, Term
from widgets.content.problems import ProblemLog
from widgets.i18n import t


def parse_glossary(path: Path, known: Collection[str], log: ProblemLog) -> tuple[Term, ...]:
    document = read_document(path, log, allowed_blocks=("term",))
    if document is None:
        return ()
    terms = []
    for block in document.blocks:
        check_fields(block, ("cites",), log)
        name = " ".join(block.args)
        definition = block.markdown(document.lines)
        if not name or not definition:
            log.add(block.line, t("check.term_needs_name"))
        cites = cites_field(block, known, log, required=False)
        terms.append(Term(name, definition, cites, SourceRef(log.path, block.line)))
    return tuple(terms)


def parse_faq(path: Path, known: Collection[str], log: ProblemLog) -> tuple[FaqEntry, ...]:
    document = read_document(path, log, allowed_blocks=("faq",))
    if document is None:
        return ()
    entries = []
    for block in document.blocks:
        check_fields(block, ("cites",), log)
        cites = cites_field(block, known, log)
        body = list(block.body)
        if block.head or not body or body[0].type != "heading":
            log.add(block.line, t("check.faq_needs_heading"))
            continue
        question = " ".join(body[0].children[0].content.split())
        answer = block.markdown(document.lines, body[1:])
        if not answer:
            log.add(block.line, t("check.faq_no_answer", question=question))
        entries.append(FaqEntry(question, answer, cites, SourceRef(log.path, block.line)))
    return tuple(entries)
