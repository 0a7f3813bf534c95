"""Plain result objects the engine returns and the records layer stores."""

from __future__ import annotations

import dataclasses as dc

from widgets.content.model import Rating
from widgets.jsonvalue import JsonObject, JsonValue

Response = str | tuple[str, ...] | tuple[tuple[str, str], ...]
"""A learner's answer: a choice ID or typed text (single, true-false, short), choice IDs
(multiple, sorted), item IDs in the learner's order (ordering), or (pair ID, category)
pairs (matching, sorted)."""


@dc.dataclass(frozen=True, slots=True)
class AnswerResult:
    """The scored answer to one question."""

    question_id: str
    response: Response
    score: float
    """Points earned, within ``[0, max_score]``."""
    max_score: float
    correct: bool
    """Full marks."""
    feedback: tuple[str, ...]
    """Markdown feedback for what the learner answered (never the key for other options)."""
    cites: tuple[str, ...]

    def as_json(self) -> JsonObject:
        return {
            "question_id": self.question_id,
            "response": _jsonable(self.response),
            "score": self.score,
            "max_score": self.max_score,
            "correct": self.correct,
        }


@dc.dataclass(frozen=True, slots=True)
class QuizResult:
    """A finished quiz attempt: what the records layer stores as one attempt."""

    quiz_id: str
    """The module ID (or ``final`` for the assessment)."""
    attempt_id: str
    """Client-generated UUID of the attempt."""
    answers: tuple[AnswerResult, ...]
    pass_mark: int
    """Percentage needed to pass."""

    @property
    def score(self) -> float:
        return sum(answer.score for answer in self.answers)

    @property
    def max_score(self) -> float:
        return sum(answer.max_score for answer in self.answers)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.percent + 1e-9 >= self.pass_mark

    @property
    def to_review(self) -> tuple[AnswerResult, ...]:
        """Answers without full marks, to revisit with their clauses."""
        return tuple(answer for answer in self.answers if not answer.correct)


@dc.dataclass(frozen=True, slots=True)
class ScenarioStep:
    """One choice made on a scenario path."""

    node_id: str
    action_id: str
    rating: Rating
    next_node_id: str


@dc.dataclass(frozen=True, slots=True)
class ScenarioResult:
    """A scenario path, finished or not."""

    scenario_id: str
    steps: tuple[ScenarioStep, ...]
    end_node_id: str | None
    """The end node reached, or ``None`` while the path is still open."""
    score: int
    max_score: int

    @property
    def finished(self) -> bool:
        return self.end_node_id is not None


def _jsonable(response: Response) -> JsonValue:
    if isinstance(response, tuple):
        return [_jsonable(item) for item in response]
    return response
