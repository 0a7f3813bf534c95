"""Content problems reported as ``file:line: message``, and the error that carries them."""

from __future__ import annotations

import dataclasses as dc
import os
from pathlib import Path


def display_path(path: Path) -> str:
    """The path as an author would type it: relative to the working folder when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


@dc.dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One mistake in the content, located by file and 1-based line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content has problems; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ProblemLog:
    """Collects problems for one file so parsing can go on past the first mistake."""

    def __init__(self, path: Path, problems: list[Problem] | None = None) -> None:
        self.path = display_path(path)
        self.problems = [] if problems is None else problems

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def for_file(self, path: Path) -> ProblemLog:
        """A log for another file that shares this log's list."""
        return ProblemLog(path, self.problems)
