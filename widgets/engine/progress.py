"""The course's rules as plain data: what completes a module, the final assessment's policy,
and what must be done before the final and the certificate. No ipywidgets, no database.

* A module with exercises is complete when its practice quiz is passed (if it has one) and
  each of its scenarios was finished once (:func:`is_complete`); a completion stored before
  keeps it complete even if its requirements grew since (:func:`module_state`).
* The final assessment (quiz ID :data:`FINAL_ID`) unlocks when every required module is
  complete, and only for a signed-in learner: a guest cannot take it (:func:`final_lock`).
* A learner may start at most :data:`MAX_FINAL_ATTEMPTS_PER_DAY` (3) final attempts per
  calendar day in Asia/Ho_Chi_Minh (UTC+7); the count resets at local midnight. An attempt
  counts when it starts, finished or not; an unfinished attempt is resumed, not restarted.
* The counted result is the highest finished score (ties: the earliest such attempt); the
  learner has passed once any attempt reaches the pass mark (:func:`counted_attempt`).
* A certificate is issued once the final is passed and the pledge signed
  (:func:`certificate_lock`).

:class:`widgets.session.LearnerSession` applies these rules whatever page or address is used;
the views only show what the rules say (:class:`Lock` lists what remains).
"""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import Protocol, TypeVar

from widgets.content.model import Course, ModuleKind

FINAL_ID = "final"
MAX_FINAL_ATTEMPTS_PER_DAY = 3


class Attempt(Protocol):
    """What the rules read of one attempt (the records' ``AttemptSummary`` has it)."""

    @property
    def kind(self) -> str: ...
    @property
    def activity_id(self) -> str: ...
    @property
    def module_id(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def passed(self) -> bool | None: ...
    @property
    def finished(self) -> bool: ...
    @property
    def percent(self) -> float | None: ...


A = TypeVar("A", bound=Attempt)


class ModuleState(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    COMPLETE = "complete"


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


def requirements_for(course: Course) -> tuple[Requirement, ...]:
    """The requirements of every module with exercises: the lessons and the site guide (its
    "Thử làm" practice), not the final assessment, which they unlock. A module without
    questions or scenarios has nothing to complete and is left out.

    A module's quiz has the module's ID (as :class:`QuizResult.quiz_id` has).
    """
    requirements = []
    for module in course.modules:
        if module.kind is ModuleKind.ASSESSMENT or not (module.questions or module.scenarios):
            continue
        requirements.append(
            Requirement(
                module_id=module.id,
                quiz_id=module.id if module.questions else None,
                scenario_ids=tuple(scenario.id for scenario in module.scenarios),
            )
        )
    return tuple(requirements)


def is_complete(requirement: Requirement, attempts: Iterable[Attempt]) -> bool:
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
    requirement: Requirement, attempts: Iterable[Attempt], recorded: bool = False
) -> ModuleState:
    """The learner's state in one module. ``recorded``: a completion was stored before,
    which keeps the module complete even if its requirements grew since."""
    attempts = list(attempts)
    if recorded or is_complete(requirement, attempts):
        return ModuleState.COMPLETE
    if any(True for _ in _relevant(requirement, attempts)):
        return ModuleState.IN_PROGRESS
    return ModuleState.NOT_STARTED


def _relevant(requirement: Requirement, attempts: Iterable[Attempt]) -> Iterable[Attempt]:
    ids = requirement.activity_ids
    return (
        attempt
        for attempt in attempts
        if attempt.activity_id in ids
        or (attempt.module_id == requirement.module_id and attempt.activity_id != FINAL_ID)
    )


# ----------------------------------------------------------------------- unlock rules


class Step(StrEnum):
    """Something a learner still has to do."""

    SIGN_IN = "sign-in"
    MODULE = "module"
    FINAL = "final"
    PLEDGE = "pledge"


@dc.dataclass(frozen=True, slots=True)
class Lock:
    """Why a page or an action is locked: the steps that remain, in course order.

    ``modules`` are the IDs of the required modules not yet complete.
    """

    steps: tuple[Step, ...]
    modules: tuple[str, ...] = ()


class LockedError(Exception):
    """An action the course's rules do not allow yet (``lock`` says what remains)."""

    def __init__(self, action: str, lock: Lock) -> None:
        remaining = ", ".join([*lock.modules, *(str(s) for s in lock.steps if s is not Step.MODULE)])
        super().__init__(f"{action} is locked: remaining {remaining}")
        self.action = action
        self.lock = lock


def modules_left(states: Mapping[str, ModuleState]) -> tuple[str, ...]:
    """The required modules not complete, in the order of ``states``."""
    return tuple(module for module, state in states.items() if state is not ModuleState.COMPLETE)


def final_lock(states: Mapping[str, ModuleState], *, signed_in: bool = True) -> Lock | None:
    """``None`` if the final assessment may start; else what remains before it.

    ``states``: every required module's state (see :func:`requirements_for`).
    """
    steps: list[Step] = [] if signed_in else [Step.SIGN_IN]
    left = modules_left(states)
    if left:
        steps.append(Step.MODULE)
    return Lock(tuple(steps), left) if steps else None


def certificate_lock(
    states: Mapping[str, ModuleState], *, final_passed: bool, pledged: bool, signed_in: bool = True
) -> Lock | None:
    """``None`` if a certificate may be issued (the final passed, the pledge signed); else what
    remains before it, with the modules left while the final is not passed."""
    steps: list[Step] = [] if signed_in else [Step.SIGN_IN]
    left: tuple[str, ...] = ()
    if not final_passed:
        left = modules_left(states)
        steps += [Step.MODULE] if left else []
        steps.append(Step.FINAL)
    if not pledged:
        steps.append(Step.PLEDGE)
    return Lock(tuple(steps), left) if steps else None


# ------------------------------------------------------------------- the final's policy


def _course_tz() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # no tz database: Vietnam has kept UTC+7 without DST since 1975
        return timezone(timedelta(hours=7), "ICT")


COURSE_TZ = _course_tz()


def local_day(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds ``[start, end)`` of the Asia/Ho_Chi_Minh calendar day of ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    local = moment.astimezone(COURSE_TZ)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=1)).replace(hour=0)
    return start.astimezone(UTC), end.astimezone(UTC)


def attempts_on_day(attempts: Iterable[Attempt], moment: datetime) -> int:
    """How many of ``attempts`` started on the local calendar day of ``moment``."""
    start, end = local_day(moment)
    return sum(1 for attempt in attempts if start <= attempt.started_at < end)


def counted_attempt(attempts: Iterable[A]) -> A | None:
    """The attempt that counts: the highest finished percentage, the earliest on ties."""
    best: A | None = None
    for attempt in sorted(attempts, key=lambda a: a.started_at):
        percent = attempt.percent
        if not attempt.finished or percent is None:
            continue
        if best is None or percent > (best.percent or 0.0) + 1e-9:
            best = attempt
    return best
