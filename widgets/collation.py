"""Vietnamese alphabetical order (a ă â b c d đ e ê … ư v x y), tones as a tie-breaker."""

from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_MODIFIERS = frozenset("\u0306\u0302\u031b")
"""Breve, circumflex and horn make letters of their own (ă, â, ê, ô, ơ, ư)."""
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
"""Dictionary order of the tones: ngang, huyền, hỏi, ngã, sắc, nặng."""


def _letters(text: str) -> list[tuple[str, str]]:
    """``(letter, tone mark)`` for each base character of ``text`` (case-folded)."""
    out: list[tuple[str, str]] = []
    for ch in unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).casefold()):
        if unicodedata.combining(ch) and out:
            letter, tone = out[-1]
            if ch in _MODIFIERS:
                out[-1] = (unicodedata.normalize("NFC", letter + ch), tone)
            elif ch in TONES:
                out[-1] = (letter, ch)
        else:
            out.append((ch, ""))
    return out


def _rank(letter: str) -> tuple[int, int]:
    if letter.isspace():
        return (0, 0)
    if letter.isdigit():
        return (1, ord(letter))
    position = ALPHABET.find(letter)
    return (2, position) if position >= 0 and len(letter) == 1 else (3, ord(letter[0]))


def sort_key(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...], str]:
    """Key for ``sorted``: letters in Vietnamese order first, then tones, then the text itself."""
    letters = _letters(text)
    return (
        tuple(_rank(letter) for letter, _ in letters),
        tuple(TONES.index(tone) for _, tone in letters),
        text,
    )


def initial(text: str) -> str:
    """The letter a word is filed under (``"đơn thư"`` → ``"Đ"``, ``"ủy ban"`` → ``"U"``)."""
    letters = _letters(text.strip())
    return letters[0][0].upper() if letters else ""
