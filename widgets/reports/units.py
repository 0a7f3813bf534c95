"""Completion per đơn vị, against an optional roster of expected learners: the roll-up of the
learners' completion rows (:mod:`widgets.records.statistics.completion`) that the dashboard and
its exports show.
"""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Iterable, Mapping, Sequence

from widgets.records.identity import identity_key
from widgets.records.statistics.completion import LearnerCompletion
from widgets.reports.roster import Roster, RosterEntry


@dc.dataclass(frozen=True, slots=True)
class UnitCompletion:
    unit: str
    expected: int | None
    """From the roster; ``None`` when the roster does not list the unit (or there is none)."""
    signed_in: int
    all_modules: int
    final_passed: int
    certified: int
    per_module: dict[str, int]
    """Module ID → learners of the unit who completed it."""
    not_signed_in: tuple[str, ...] = ()
    """Roster names with no learner record."""
    not_finished: tuple[str, ...] = ()
    """Roster names (or, without a roster, learner names) who have not completed every module."""

    @property
    def share_certified(self) -> float | None:
        """Certified learners over the expected number (or over those signed in)."""
        base = self.expected if self.expected is not None else self.signed_in
        return self.certified / base if base else None


def unit_completion(
    rows: Sequence[LearnerCompletion],
    roster: Roster | None = None,
    unit_order: Sequence[str] = (),
    successors: Mapping[str, str] | None = None,
) -> list[UnitCompletion]:
    """Roll learners up per unit (units matched without case or spacing differences).

    With a roster, each unit also lists who is expected but has not signed in, and who
    signed in but has not completed every module; roster learners are matched by staff code,
    else by name + unit. Units come in ``unit_order`` (the course's list), then by name.
    ``successors`` (a retired unit → the current unit that took it over, from units.yml) counts
    learners who signed in under a retired unit with its successor; their records keep the
    unit as they signed in.
    """
    roster = roster or Roster()
    by_unit: dict[str, list[LearnerCompletion]] = {}
    names: dict[str, str] = dict(roster.unit_names)
    moved = {identity_key(old): new for old, new in (successors or {}).items()}
    for row in rows:
        unit = moved.get(row.learner.unit_key, row.learner.unit)
        key = identity_key(unit)
        by_unit.setdefault(key, []).append(row)
        names.setdefault(key, unit)
    expected_by_unit: dict[str, list[RosterEntry]] = {}
    for entry in roster.entries:
        expected_by_unit.setdefault(entry.unit_key, []).append(entry)
    keys = set(by_unit) | set(roster.counts)
    order = {identity_key(unit): n for n, unit in enumerate(unit_order)}
    result = []
    for key in sorted(keys, key=lambda k: (order.get(k, len(order)), names[k].casefold())):
        members = by_unit.get(key, [])
        missing, unfinished = _roster_gaps(expected_by_unit.get(key, []), members)
        if not roster.entries:
            unfinished = tuple(row.learner.full_name for row in members if not row.all_modules)
        per_module: dict[str, int] = {}
        for row in members:
            for module_id in row.done:
                per_module[module_id] = per_module.get(module_id, 0) + 1
        result.append(
            UnitCompletion(
                unit=names[key],
                expected=roster.counts.get(key),
                signed_in=len(members),
                all_modules=sum(1 for row in members if row.all_modules),
                final_passed=sum(1 for row in members if row.final_passed),
                certified=sum(1 for row in members if row.certified),
                per_module=per_module,
                not_signed_in=missing,
                not_finished=unfinished,
            )
        )
    return result


def _roster_gaps(
    expected: Iterable[RosterEntry], members: Sequence[LearnerCompletion]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    by_code = {row.learner.staff_code: row for row in members if row.learner.staff_code}
    by_name = {row.learner.name_key: row for row in members}
    missing, unfinished = [], []
    for entry in expected:
        row = by_code.get(entry.staff_code) if entry.staff_code else None
        row = row or by_name.get(entry.name_key)
        if row is None:
            missing.append(entry.name)
        elif not row.all_modules:
            unfinished.append(entry.name)
    return tuple(missing), tuple(unfinished)
