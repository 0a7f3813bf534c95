"""Reproducible draws and shuffles: seeded per learner, quiz and attempt."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

from widgets.content.model import Question

T = TypeVar("T")


def attempt_seed(learner_id: str, quiz_id: str, attempt: int) -> int:
    """A stable seed: the same learner, quiz and attempt always see the same draw and order."""
    digest = hashlib.sha256(f"{learner_id}\x1f{quiz_id}\x1f{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def shuffled(items: Sequence[T], rng: random.Random) -> tuple[T, ...]:
    copy = list(items)
    rng.shuffle(copy)
    return tuple(copy)


def draw_questions(
    pool: Sequence[Question],
    count: int | None,
    rng: random.Random,
    *,
    clauses: Sequence[str] = (),
) -> tuple[Question, ...]:
    """Draw ``count`` questions (all when ``None``), covering each of ``clauses`` first.

    A clause is covered when the pool has a question citing it and the count leaves room;
    the remaining places are filled at random. The result is in random order.
    """
    if count is None or count >= len(pool):
        return shuffled(pool, rng)
    chosen: list[Question] = []
    for clause_id in shuffled(clauses, rng):
        if len(chosen) >= count or any(clause_id in q.cites for q in chosen):
            continue
        candidates = [q for q in pool if clause_id in q.cites and q not in chosen]
        if candidates:
            chosen.append(rng.choice(candidates))
    rest = [q for q in pool if q not in chosen]
    chosen.extend(rng.sample(rest, count - len(chosen)))
    return shuffled(chosen, rng)
