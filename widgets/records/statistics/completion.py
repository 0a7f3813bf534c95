"""Completion per learner: the modules done, the counted final score, the certificate.

A module is complete for a learner when a completion was recorded for it, or when the
learner's attempts meet its requirement (:func:`widgets.records.progress.is_complete`) —
the same rule the home page applies. "Passed the final" uses the final assessment's policy
(the highest finished attempt counts, :func:`~widgets.records.statistics.scores.counted_attempts`).
The roll-up per đơn vị, against a roster, is the dashboard's (:mod:`widgets.reports.units`).
"""

from __future__ import annotations

import dataclasses as dc
import functools
import operator
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from widgets.records import policy
from widgets.records.progress import Requirement
from widgets.records.schema import attempts, certificates, completions, learners
from widgets.records.statistics.filters import Filters, Ids, learner_ids, of_chosen, up_to
from widgets.records.statistics.scores import counted_attempts

_BITS = 62
"""Parts per bitmask column (a signed 64-bit sum)."""


@dc.dataclass(frozen=True, slots=True)
class LearnerRow:
    """A learner as the reports match them against a roster: with the identity keys of the name
    and the unit (which :class:`~widgets.records.models.Learner` does not carry)."""

    id: str
    full_name: str
    unit: str
    role: str
    staff_code: str | None
    name_key: str
    unit_key: str
    created_at: datetime


@dc.dataclass(frozen=True, slots=True)
class LearnerCompletion:
    learner: LearnerRow
    done: tuple[str, ...]
    """IDs of the completed modules, in course order."""
    total: int
    """Number of required modules."""
    final_percent: float | None
    """The counted (highest) final-assessment score, if any finished."""
    final_passed: bool
    certified: bool

    @property
    def all_modules(self) -> bool:
        return len(self.done) == self.total


def chosen_learners(chosen: Ids | None) -> sa.Select[*tuple[Any, ...]]:
    """The learners of ``chosen`` as :class:`LearnerRow` columns, by unit then name."""
    return (
        sa.select(
            learners.c.id,
            learners.c.full_name,
            learners.c.unit,
            learners.c.role,
            learners.c.staff_code,
            learners.c.name_key,
            learners.c.unit_key,
            learners.c.created_at,
        )
        .where(*of_chosen(learners, chosen))
        .order_by(learners.c.unit, learners.c.full_name, learners.c.id)
    )


def learner_completion(
    conn: Connection, filters: Filters, requirements: Sequence[Requirement]
) -> list[LearnerCompletion]:
    """One row per learner of the filters, ordered by unit then name (completion up to ``until``)."""
    chosen = learner_ids(filters)
    people = conn.execute(chosen_learners(chosen)).all()
    done = _modules_done(conn, filters, chosen, requirements)
    before = up_to(attempts.c.started_at, filters)
    best = counted_attempts(
        [attempts.c.activity_id == policy.FINAL_ID, *of_chosen(attempts, chosen), *before]
    )
    finals = {row.learner_id: row for row in conn.execute(sa.select(best).where(best.c.rn == 1)).all()}
    certified = set(
        conn.execute(
            sa.select(certificates.c.learner_id).where(
                *of_chosen(certificates, chosen), *up_to(certificates.c.issued_at, filters)
            )
        )
        .scalars()
        .all()
    )
    total = len(requirements)
    rows = []
    for person in people:
        final = finals.get(person.id)
        rows.append(
            LearnerCompletion(
                learner=LearnerRow(*person),
                done=done.get(person.id, ()),
                total=total,
                final_percent=final.percent if final else None,
                final_passed=bool(final and final.passed),
                certified=person.id in certified,
            )
        )
    return rows


def _parts(requirement: Requirement) -> list[tuple[str, str]]:
    """(attempt kind, activity ID) of each part of a requirement: its quiz, then each scenario."""
    quiz = [("quiz", requirement.quiz_id)] if requirement.quiz_id else []
    return quiz + [("scenario", scenario_id) for scenario_id in dict.fromkeys(requirement.scenario_ids)]


def _modules_done(
    conn: Connection,
    filters: Filters,
    chosen: Ids | None,
    requirements: Sequence[Requirement],
) -> dict[str, tuple[str, ...]]:
    """Learner ID → modules complete before ``until``, in the order of ``requirements``: recorded,
    or every part met in a finished attempt (the quiz passed, each scenario run to its end), as
    :func:`progress.is_complete` says.

    Each part of every requirement has a bit; one row per learner carries the sum of the
    distinct bits met (a bitmask, in words of :data:`_BITS` parts). No condition on the
    activity: the grouping then reads the learner-ordered index alone (an ``IN`` list would
    lead SQLite to the activity index and a sort). The bit of a part is looked up by kind, then
    by activity ID (a ``CASE`` on one column each: half the comparisons of one on both).
    Learners share a handful of masks and of module sets: each is worked out once.
    """
    parts = list(dict.fromkeys(part for req in requirements for part in _parts(req)))
    bit = {part: (n // _BITS, 1 << (n % _BITS)) for n, part in enumerate(parts)}
    position: dict[str, int] = defaultdict(int)  # module ID → its bits among the requirements
    for n, req in enumerate(requirements):
        position[req.module_id] |= 1 << n
    met: dict[str, int] = {}  # learner ID → the requirements met, one bit each
    if parts:
        a = attempts.c
        words = []
        for n in range(1 + (len(parts) - 1) // _BITS):
            by_kind: dict[str, dict[str, int]] = defaultdict(dict)
            for (kind, activity), (word, value) in bit.items():
                if word == n:
                    by_kind[kind][activity] = value
            values = (
                (
                    a.kind == kind,
                    sa.case({k: sa.literal(v, sa.BigInteger) for k, v in of.items()}, value=a.activity_id),
                )
                for kind, of in by_kind.items()
            )
            words.append(sa.func.sum(sa.distinct(sa.case(*values))))
        query = (
            sa.select(a.learner_id, *words)
            .where(
                a.finished_at.is_not(None),
                sa.or_(a.kind == "scenario", a.passed.is_(True)),
                *of_chosen(attempts, chosen),
                *up_to(a.started_at, filters),
            )
            .group_by(a.learner_id)
        )
        needs = []
        for req in requirements:
            mask = [0] * len(words)
            for part in _parts(req):
                mask[bit[part][0]] |= bit[part][1]
            if any(mask):
                needs.append(
                    (position[req.module_id], [(word, value) for word, value in enumerate(mask) if value])
                )
        requirements_of: dict[tuple[int, ...], int] = {}
        for learner_id, *sums in conn.execute(query).all():
            key = tuple(int(value or 0) for value in sums)
            if key not in requirements_of:
                requirements_of[key] = functools.reduce(
                    operator.or_,
                    (flag for flag, mask in needs if all(key[word] & value == value for word, value in mask)),
                    0,
                )
            met[learner_id] = requirements_of[key]
    for learner_id, recorded in _recorded(conn, filters, chosen, position):
        met[learner_id] = met.get(learner_id, 0) | recorded
    modules_of: dict[int, tuple[str, ...]] = {}
    done = {}
    for learner_id, flags in met.items():
        if flags not in modules_of:
            modules_of[flags] = tuple(req.module_id for n, req in enumerate(requirements) if flags >> n & 1)
        done[learner_id] = modules_of[flags]
    return done


def _recorded(
    conn: Connection,
    filters: Filters,
    chosen: Ids | None,
    position: Mapping[str, int],
) -> list[tuple[str, int]]:
    """(learner ID, the requirements whose module has a completion recorded before ``until``).

    Summed per learner in the database (a learner's modules are distinct, their bits too): a
    row per learner instead of one per completion, about a third of the rows to fetch.
    """
    if not position:
        return []
    c = completions.c
    flags = sa.case({m: sa.literal(bits, sa.BigInteger) for m, bits in position.items()}, value=c.module_id)
    query = (
        sa.select(c.learner_id, sa.func.sum(flags))
        .where(
            c.module_id.in_(list(position)), *of_chosen(completions, chosen), *up_to(c.completed_at, filters)
        )
        .group_by(c.learner_id)
    )
    return [(learner_id, int(bits)) for learner_id, bits in conn.execute(query).all()]
