"""What an import returns: the questions it could convert, and what it refused or changed."""

from __future__ import annotations

import dataclasses as dc

from widgets.content.model import Question


@dc.dataclass(frozen=True, slots=True)
class Notice:
    """A refused question, or a note on something the conversion could not keep."""

    where: str
    """``file:line`` (GIFT) or ``file[index]`` (JSON)."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dc.dataclass(frozen=True, slots=True)
class ImportResult:
    questions: tuple[Question, ...]
    """Converted questions, exactly as the Markdown writer will write them."""
    refused: tuple[Notice, ...] = ()
    """Questions of a type the engine does not have, or too broken to read."""
    notes: tuple[Notice, ...] = ()
    """Imported questions that lost something (partial credit, options) on the way."""
    categories: tuple[str, ...] = ()
    """GIFT ``$CATEGORY:`` paths met, in order."""
