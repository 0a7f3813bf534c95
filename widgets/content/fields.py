"""Reading typed values out of block fields, logging a problem for each bad one."""

from __future__ import annotations

import re
from collections.abc import Collection

from widgets.content.markdown import Block
from widgets.content.problems import ProblemLog
from widgets.i18n import t

_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_TRUE = {"true", "yes", "có", "1"}
_FALSE = {"false", "no", "không", "0"}


def split_ids(value: str) -> tuple[str, ...]:
    """``"doc, doc.to heads.1"`` → ``("doc", "doc.to", "heads.1")``."""
    return tuple(part for part in re.split(r"[,\s\[\]]+", value) if part)


def is_valid_id(value: str) -> bool:
    return bool(_ID.match(value))


def check_fields(block: Block, allowed: Collection[str], log: ProblemLog) -> None:
    """Report fields the block type does not know (typos would otherwise be ignored)."""
    for name, (line, _) in block.fields.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or t("check.no_fields")
            log.add(line, t("check.field_not_in_block", name=name, block=block.name, known=known))


def text_field(block: Block, name: str, log: ProblemLog, *, required: bool = False) -> str:
    line, value = block.fields.get(name, (block.line, ""))
    if required and not value:
        log.add(line, t("check.block_missing_field", block=block.name, name=name))
    return value


def bool_field(block: Block, name: str, log: ProblemLog) -> bool:
    if name not in block.fields:
        return False
    line, value = block.fields[name]
    if value.casefold() in _TRUE:
        return True
    if value.casefold() not in _FALSE:
        log.add(line, t("check.field_boolean", name=name, value=value))
    return False


def int_field(block: Block, name: str, log: ProblemLog, default: int) -> int:
    if name not in block.fields:
        return default
    line, value = block.fields[name]
    if value.isdigit() and int(value) > 0:
        return int(value)
    log.add(line, t("check.field_positive", name=name, value=value))
    return default


def cites_field(
    block: Block,
    known_clauses: Collection[str],
    log: ProblemLog,
    *,
    required: bool = True,
) -> tuple[str, ...]:
    """The ``cites`` field as clause IDs, each checked against the directive."""
    line, value = block.fields.get("cites", (block.line, ""))
    return check_cites(split_ids(value), line, known_clauses, log, block.name, required=required)


def check_cites(
    ids: tuple[str, ...],
    line: int,
    known_clauses: Collection[str],
    log: ProblemLog,
    what: str,
    *,
    required: bool = True,
) -> tuple[str, ...]:
    if not ids:
        if required:
            log.add(line, t("check.missing_cites", what=what))
        return ()
    for clause_id in ids:
        if clause_id not in known_clauses:
            log.add(line, t("check.unknown_clause", clause_id=clause_id))
    return ids
