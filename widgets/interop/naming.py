"""IDs for imported questions and new modules: ASCII slugs, unique within the course."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from widgets.content.fields import is_valid_id

_BLOCK_ID = re.compile(r"^:{3,}\s*(?:question|scenario)\s+(\S+)", re.MULTILINE)


def slugify(text: str, max_length: int = 48) -> str:
    """``"Thời giờ làm việc"`` → ``"thoi-gio-lam-viec"`` (tones and ``đ`` folded, cut at a word)."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")


def unique_id(name: str, taken: set[str], fallback: str = "cau-hoi") -> str:
    """A valid, unused ID from ``name``; adds it to ``taken``.

    A name that already is a valid ID (``m04-bia-trua``) is kept as it is, so exported
    questions come back under their own IDs.
    """
    base = name if is_valid_id(name) else slugify(name)
    base = base or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def ids_in_content(paths: Iterable[Path]) -> set[str]:
    """Question and scenario IDs written in these Markdown files (read as text, valid or not)."""
    ids: set[str] = set()
    for path in paths:
        if path.is_file():
            ids.update(_BLOCK_ID.findall(path.read_text(encoding="utf-8")))
    return ids
