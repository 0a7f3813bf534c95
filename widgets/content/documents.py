"""Reading one content file: text, front matter and top-level blocks, problems logged."""

from __future__ import annotations

import dataclasses as dc
import unicodedata
from collections.abc import Collection
from pathlib import Path

import yaml

from widgets.content.markdown import (
    BLOCK,
    Block,
    as_block,
    is_stray_marker,
    line_of,
    looks_like_block,
    parse_tree,
)
from widgets.content.problems import ProblemLog
from widgets.i18n import t


@dc.dataclass(frozen=True)
class Document:
    """A parsed content file."""

    lines: list[str]
    meta: dict[str, object] | None
    """The YAML front matter (empty when there is none, ``None`` when it is unreadable)."""
    blocks: list[Block]
    """Top-level blocks of the allowed kinds, in order."""


def read_text(path: Path, log: ProblemLog) -> str | None:
    """The file's text; logs unreadable, non-UTF-8 and non-NFC files."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.add(1, t("check.file_not_found"))
        return None
    except (OSError, UnicodeDecodeError) as error:
        log.add(1, t("check.file_not_utf8", error=error))
        return None
    if text != unicodedata.normalize("NFC", text):
        for number, line in enumerate(text.splitlines(), start=1):
            if line != unicodedata.normalize("NFC", line):
                log.add(
                    number,
                    t("check.not_nfc"),
                )
                break
    return text


def read_yaml(text: str, log: ProblemLog, first_line: int = 1) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        problem = getattr(error, "problem", None) or str(error)
        log.add(line, t("check.yaml_unreadable", problem=problem))
        return None


def read_document(path: Path, log: ProblemLog, *, allowed_blocks: Collection[str]) -> Document | None:
    text = read_text(path, log)
    if text is None:
        return None
    tree = parse_tree(text)
    meta: dict[str, object] | None = {}
    blocks: list[Block] = []
    for node in tree.children:
        if node.type == "front_matter":
            loaded = read_yaml(node.content, log, first_line=2)
            if isinstance(loaded, dict):
                meta = loaded
            else:
                meta = None
                if loaded is not None:
                    log.add(1, t("check.front_matter_not_mapping"))
        elif node.type == BLOCK:
            block = as_block(node)
            if block.name in allowed_blocks:
                blocks.append(block)
            else:
                allowed = ", ".join(allowed_blocks)
                log.add(block.line, t("check.block_not_here", block=block.name, allowed=allowed))
        elif is_stray_marker(node):
            log.add(
                line_of(node),
                t("check.stray_fence"),
            )
        elif looks_like_block(node):
            log.add(line_of(node), t("check.fence_without_name"))
        else:
            log.add(line_of(node), t("check.outside_block"))
    return Document(text.splitlines(), meta, blocks)
