"""Reproducible draws and shuffles: seeded per learner, quiz and attempt."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

from widgets.content.model import Action, Choice, MatchPair, Question

T = TypeVar("T")


def attempt_seed(learner_id: str, quiz_id: str, attempt: int) -> int:
    """A stable seed: the same learner, quiz and attempt always see the same draw and order."""
    digest = hashlib.sha256(f"{learner_id}\x1f{quiz_id}\x1f{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def shuffled(items: Sequence[T], rng: random.Random) -> tuple[T, ...]:
    copy = list(items)
    rng.shuffle(copy)
    return tuple(copy)


def neutral_order(items: Sequence[Choice | MatchPair | Action]) -> tuple[str, ...]:
    """The items' IDs in an order that says nothing about the answer key: by text, then ID.

    Shuffles start from here, not from the authored order. The authored order *is* the key of
    an ordering question, authors tend to write the right choice (or the best action) first,
    and a learner who knows the seed's inputs (their own ID, the quiz, the attempt) could
    replay the shuffle and undo it.
    """

    def text(item: Choice | MatchPair | Action) -> str:
        return item.item if isinstance(item, MatchPair) else item.text

    return tuple(item.id for item in sorted(items, key=lambda item: (text(item), item.id)))


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
