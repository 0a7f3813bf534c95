"""``directive.md`` → ``Directive``: the source document as citable clauses."""

from __future__ import annotations

from pathlib import Path

from widgets.content.documents import Document, read_document
from widgets.content.fields import check_fields, is_valid_id
from widgets.content.model import Clause, Directive, SourceRef
from widgets.content.problems import ProblemLog
from widgets.i18n import t

DIRECTIVE_KEYS = ("id", "number", "issuer", "title", "reported")


def parse_directive(path: Path, log: ProblemLog) -> Directive | None:
    document = read_document(path, log, allowed_blocks=("clause",))
    if document is None or document.meta is None:
        return None
    clauses: list[Clause] = []
    seen: set[str] = set()
    for block in document.blocks:
        check_fields(block, ("label", "short"), log)
        clause_id = block.args[0] if block.args else ""
        if not is_valid_id(clause_id):
            log.add(block.line, t("check.clause_needs_id"))
            continue
        if clause_id in seen:
            log.add(block.line, t("check.clause_id_repeated", clause_id=clause_id))
        seen.add(clause_id)
        text = block.markdown(document.lines)
        label = block.fields.get("label", (0, ""))[1]
        if not label or not text:
            log.add(block.line, t("check.clause_needs_label", clause_id=clause_id))
        short = block.fields.get("short", (0, ""))[1]
        clauses.append(Clause(clause_id, label, text, SourceRef(log.path, block.line), short))
    meta = _front_matter_strings(document, DIRECTIVE_KEYS, log)
    return Directive(**meta, clauses=tuple(clauses), source=SourceRef(log.path, 1))


def _front_matter_strings(document: Document, keys: tuple[str, ...], log: ProblemLog) -> dict[str, str]:
    values = {}
    for key in keys:
        value = (document.meta or {}).get(key)
        if not isinstance(value, str) or not value.strip():
            log.add(1, t("check.front_matter_missing", field=key))
            value = ""
        values[key] = value.strip()
    return values
