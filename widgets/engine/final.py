"""The final assessment's pool and draw: no guide-module or interpretive item, at least one
scenario decision set (scored), and an application share the policy sets."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence

from widgets.content.model import Level, Question, QuestionType, QuizPolicy
from widgets.content.pool import decision_items, final_pool
from widgets.engine.draw import shuffled

__all__ = ["decision_items", "draw_final", "final_pool", "rules_summary", "with_partial_credit"]


def draw_final(
    pool: Sequence[Question], policy: QuizPolicy, rng: random.Random, *, clauses: Sequence[str] = ()
) -> tuple[Question, ...]:
    """Draw ``policy.draw`` items: ``policy.scenarios`` whole decision sets first, then questions
    so that at least ``policy.min_application`` % of the items are ``application`` (clauses
    covered first when ``clauses`` is given). Questions come shuffled, the decision sets after
    them in story order."""
    sets: dict[str, list[Question]] = {}
    for item in pool:
        if item.decision_set:
            sets.setdefault(item.decision_set, []).append(item)
    questions = [q for q in pool if not q.decision_set]
    chosen_sets = [sets[k] for k in sorted(rng.sample(sorted(sets), min(policy.scenarios, len(sets))))]
    decisions = [item for items in chosen_sets for item in items]
    total = policy.draw if policy.draw is not None else len(decisions) + len(questions)
    room = max(0, total - len(decisions))
    needed = max(0, math.ceil(policy.min_application * total / 100) - len(decisions))
    application = [q for q in questions if q.level is Level.APPLICATION]
    picked = _cover(application, min(needed, room), rng, clauses)
    rest = [q for q in questions if q not in picked]
    picked += _cover(rest, room - len(picked), rng, clauses, already=picked)
    ordered = shuffled(picked, rng) if policy.shuffle else tuple(q for q in questions if q in picked)
    return (*ordered, *decisions)


def _cover(
    candidates: list[Question],
    count: int,
    rng: random.Random,
    clauses: Sequence[str],
    *,
    already: Sequence[Question] = (),
) -> list[Question]:
    """``count`` of ``candidates``, each clause not yet cited by ``already`` covered first."""
    count = min(count, len(candidates))
    chosen: list[Question] = []
    for clause_id in shuffled(clauses, rng):
        if len(chosen) >= count or any(clause_id in q.cites for q in (*already, *chosen)):
            continue
        options = [q for q in candidates if clause_id in q.cites and q not in chosen]
        if options:
            chosen.append(rng.choice(options))
    rest = [q for q in candidates if q not in chosen]
    chosen.extend(rng.sample(rest, count - len(chosen)))
    return chosen


def with_partial_credit(questions: Sequence[Question]) -> tuple[Question, ...]:
    """Copies of the multiple-answer questions marked for Moodle's partial credit."""
    return tuple(
        dataclasses.replace(q, partial_credit=True) if q.type is QuestionType.MULTIPLE else q
        for q in questions
    )


def rules_summary(policy: QuizPolicy) -> dict[str, int | bool | None]:
    """The final's rules as figures a view can state before the learner starts."""
    return {
        "draw": policy.draw,
        "scenarios": policy.scenarios,
        "min_application": policy.min_application,
        "partial_credit": policy.partial_credit,
        "pass_mark": policy.pass_mark,
        "tries": policy.tries,
    }
