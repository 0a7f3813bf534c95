"""Comparing typed Vietnamese answers: NFC, trimmed, case-insensitive, optionally without tones."""

from __future__ import annotations

import unicodedata

MAX_ANSWER_LENGTH = 500
"""Typed answers longer than this are cut before comparison (no answer key is that long)."""


def normalise_answer(text: str, *, ignore_tones: bool = False) -> str:
    """The form two answers are compared in.

    NFC, whitespace collapsed, case-folded; with ``ignore_tones`` every combining mark is
    dropped and ``đ`` becomes ``d`` (so ``"ro viec"`` equals ``"rõ việc"``).
    """
    text = " ".join(unicodedata.normalize("NFC", text[:MAX_ANSWER_LENGTH]).split()).casefold()
    if ignore_tones:
        decomposed = unicodedata.normalize("NFD", text.replace("đ", "d"))
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return text


def fold_for_search(text: str) -> str:
    """Case- and tone-insensitive form for searching (``"ruou bia"`` finds ``"rượu, bia"``)."""
    return normalise_answer(text, ignore_tones=True)
