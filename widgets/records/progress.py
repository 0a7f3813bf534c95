"""Module completion as plain data: what a module requires and which state a learner is in.

Pure functions over attempt summaries, so the store stays course-agnostic: the views pass
:class:`Requirement` values (from :func:`requirements_for`) and the store passes its rows.
"""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from widgets.records.models import AttemptSummary


class ModuleState(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETE = "complete"


STATE_LABELS = {
    ModuleState.NOT_STARTED: "Chưa bắt đầu",
    ModuleState.IN_PROGRESS: "Đang học",
    ModuleState.COMPLETE: "Hoàn thành",
}
"""Vietnamese label of each state, for the progress overview."""


@dc.dataclass(frozen=True, slots=True)
class Requirement:
    """What completes one module: its practice quiz passed and each scenario finished."""

    module_id: str
    quiz_id: str | None = None
    """``None`` when the module has no quiz."""
    scenario_ids: tuple[str, ...] = ()

    @property
    def activity_ids(self) -> frozenset[str]:
        return frozenset({*self.scenario_ids, *([self.quiz_id] if self.quiz_id else [])})


def requirements_for(course: Any) -> tuple[Requirement, ...]:
    """The requirements of every module with exercises: the lessons and the site guide (its
    "Thử làm" practice), not the final assessment, which they unlock. A module without
    questions or scenarios has nothing to complete and is left out.

    A module's quiz has the module's ID (as :class:`QuizResult.quiz_id` has).
    """
    requirements = []
    for module in course.modules:
        if str(module.kind) == "assessment" or not (module.questions or module.scenarios):
            continue
        requirements.append(
            Requirement(
                module_id=module.id,
                quiz_id=module.id if module.questions else None,
                scenario_ids=tuple(scenario.id for scenario in module.scenarios),
            )
        )
    return tuple(requirements)


def is_complete(requirement: Requirement, attempts: Iterable[AttemptSummary]) -> bool:
    """Quiz passed (if any) and every scenario finished (at least once each)."""
    passed_quiz = requirement.quiz_id is None
    finished: set[str] = set()
    for attempt in _relevant(requirement, attempts):
        if not attempt.finished:
            continue
        if attempt.kind == "quiz" and attempt.activity_id == requirement.quiz_id:
            passed_quiz = passed_quiz or bool(attempt.passed)
        elif attempt.kind == "scenario":
            finished.add(attempt.activity_id)
    return passed_quiz and finished.issuperset(requirement.scenario_ids)


def module_state(
    requirement: Requirement, attempts: Iterable[AttemptSummary], recorded: bool = False
) -> ModuleState:
    """The learner's state in one module. ``recorded``: a completion was stored before,
    which keeps the module complete even if its requirements grew since."""
    attempts = list(attempts)
    if recorded or is_complete(requirement, attempts):
        return ModuleState.COMPLETE
    if any(True for _ in _relevant(requirement, attempts)):
        return ModuleState.IN_PROGRESS
    return ModuleState.NOT_STARTED


def _relevant(requirement: Requirement, attempts: Iterable[AttemptSummary]):
    ids = requirement.activity_ids
    return (
        attempt
        for attempt in attempts
        if attempt.activity_id in ids
        or (attempt.module_id == requirement.module_id and attempt.activity_id != "final")
    )
