"""The facilitator guide: per module, the timing, clauses, instructor notes (discussion
questions, misconceptions) and the scenario cases to run in the room — as HTML that prints
well on A4 (``standalone=True`` gives a whole document with its print stylesheet)."""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Sequence

from widgets.content.model import Clause, Course, InstructorNote, Module, Scenario


@dc.dataclass(frozen=True, slots=True)
class ModuleGuide:
    number: int
    module: Module
    clauses: tuple[Clause, ...]
    notes: tuple[InstructorNote, ...]
    scenarios: tuple[Scenario, ...]
    decisions: dict[str, int]
    """Scenario ID → number of decision nodes."""

    @property
    def minutes(self) -> int:
        return self.module.teaching_minutes + self.module.exercise_minutes


def module_guides(course: Course, module_ids: Sequence[str] | None = None) -> list[ModuleGuide]:
    """The guide of each module (all, or those named), in course order."""
    wanted = set(module_ids) if module_ids else None
    known = {clause.id: clause for clause in course.directive.clauses}
    guides = []
    for number, module in enumerate(course.modules, start=1):
        if wanted is not None and module.id not in wanted:
            continue
        guides.append(
            ModuleGuide(
                number=number,
                module=module,
                clauses=tuple(known[c] for c in module.clauses if c in known),
                notes=module.instructor,
                scenarios=module.scenarios,
                decisions={s.id: sum(1 for node in s.nodes if not node.is_end) for s in module.scenarios},
            )
        )
    return guides


def guide_html(course: Course, module_ids: Sequence[str] | None = None, *, standalone: bool = False) -> str:
    """The guide as HTML (a fragment, or a printable document with ``standalone``)."""
    from widgets.views.fragments import render

    guides = module_guides(course, module_ids)
    return render(
        "trainer_guide",
        course=course,
        guides=guides,
        total=sum(g.minutes for g in guides),
        standalone=standalone,
    )
