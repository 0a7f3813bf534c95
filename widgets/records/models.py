"""Plain, frozen records the store returns (all timestamps are aware, in UTC)."""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from widgets.engine.progress import Lock, ModuleState, certificate_lock, final_lock
from widgets.engine.results import AnswerResult, Response, ScenarioStep


@dc.dataclass(frozen=True, slots=True)
class Learner:
    id: str
    full_name: str
    unit: str
    role: str
    staff_code: str | None
    created_at: datetime


@dc.dataclass(frozen=True, slots=True)
class AttemptSummary:
    """One go at a quiz (``kind == "quiz"``) or a scenario (``kind == "scenario"``)."""

    id: str
    learner_id: str
    kind: str
    activity_id: str
    """The quiz ID (a module ID, or ``final``) or the scenario ID."""
    module_id: str
    started_at: datetime
    finished_at: datetime | None = None
    score: float | None = None
    max_score: float | None = None
    passed: bool | None = None
    """Quizzes: passed at the pass mark. Scenarios: ``None``."""
    pass_mark: int | None = None
    end_node_id: str | None = None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100.0 * self.score / self.max_score


@dc.dataclass(frozen=True, slots=True)
class StoredAnswer:
    id: str
    attempt_id: str
    learner_id: str
    module_id: str
    question_id: str
    try_no: int
    response: Response
    score: float
    max_score: float
    correct: bool
    cites: tuple[str, ...]
    answered_at: datetime

    def to_result(self) -> AnswerResult:
        """The engine's result type (feedback is not stored: re-score to show it)."""
        return AnswerResult(
            question_id=self.question_id,
            response=self.response,
            score=self.score,
            max_score=self.max_score,
            correct=self.correct,
            feedback=(),
            cites=self.cites,
        )


@dc.dataclass(frozen=True, slots=True)
class StoredChoice:
    id: str
    attempt_id: str
    learner_id: str
    module_id: str
    scenario_id: str
    step_no: int
    node_id: str
    action_id: str
    rating: str
    next_node_id: str
    chosen_at: datetime

    def to_step(self) -> ScenarioStep:
        from widgets.content.model import Rating

        return ScenarioStep(self.node_id, self.action_id, Rating(self.rating), self.next_node_id)


@dc.dataclass(frozen=True, slots=True)
class OpenAttempt:
    """An unfinished attempt to resume: the latest answer per question, or the path so far."""

    attempt: AttemptSummary
    answers: Mapping[str, StoredAnswer] = dc.field(default_factory=lambda: MappingProxyType({}))
    steps: tuple[StoredChoice, ...] = ()

    @property
    def id(self) -> str:
        return self.attempt.id


@dc.dataclass(frozen=True, slots=True)
class Pledge:
    id: str
    learner_id: str
    text: str
    full_name: str
    unit: str
    pledged_at: datetime


@dc.dataclass(frozen=True, slots=True)
class Certificate:
    id: str
    learner_id: str
    code: str
    full_name: str
    unit: str
    role: str
    score_percent: float
    attempt_id: str
    issued_at: datetime

    def fields(self) -> dict[str, str | float]:
        """What the verification code vouches for."""
        return {
            "id": self.id,
            "learner_id": self.learner_id,
            "full_name": self.full_name,
            "unit": self.unit,
            "role": self.role,
            "score_percent": round(self.score_percent, 4),
            "attempt_id": self.attempt_id,
            "issued_at": self.issued_at.astimezone(UTC).isoformat(timespec="microseconds"),
        }


@dc.dataclass(frozen=True, slots=True)
class Verification:
    """The answer to ``neuguong verify CODE``."""

    valid: bool
    message: str
    """Vietnamese, for the person who checks."""
    certificate: Certificate | None = None


@dc.dataclass(frozen=True, slots=True)
class FinalStatus:
    """The final assessment under its policy (see :mod:`widgets.records.policy`)."""

    attempts: tuple[AttemptSummary, ...]
    attempts_today: int
    attempts_left_today: int
    best: AttemptSummary | None
    """The counted attempt: the highest finished score."""
    open_attempt_id: str | None
    next_day_starts: datetime
    """When today's attempts reset (midnight in Asia/Ho_Chi_Minh), in UTC."""

    @property
    def passed(self) -> bool:
        return bool(self.best and self.best.passed)


@dc.dataclass(frozen=True, slots=True)
class Progress:
    """What the home page shows."""

    states: Mapping[str, ModuleState]
    """Module ID → state, in the order the requirements were given."""
    final: FinalStatus
    pledge: Pledge | None
    certificate: Certificate | None

    @property
    def modules_complete(self) -> bool:
        """All required modules complete: the final assessment is unlocked."""
        return all(state is ModuleState.COMPLETE for state in self.states.values())

    def final_lock(self, *, signed_in: bool = True) -> Lock | None:
        """What remains before the final assessment (``None``: it may start)."""
        return final_lock(self.states, signed_in=signed_in)

    def certificate_lock(self) -> Lock | None:
        """What remains before the certificate (``None``: it may be issued)."""
        return certificate_lock(self.states, final_passed=self.final.passed, pledged=self.pledge is not None)
