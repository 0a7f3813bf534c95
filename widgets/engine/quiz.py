"""A quiz attempt as a pure state machine: check answers, count tries, settle, summarise."""

from __future__ import annotations

import dataclasses as dc
import random
import uuid

from widgets.content.model import Question, QuestionType, QuizPolicy
from widgets.content.questions import TRUE_FALSE_LABELS
from widgets.engine.draw import attempt_seed, draw_questions, neutral_order, shuffled
from widgets.engine.final import draw_final, with_partial_credit
from widgets.engine.results import AnswerResult, QuizResult, Response
from widgets.engine.scoring import score


@dc.dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What the learner is told after pressing "Kiểm tra"."""

    answer: AnswerResult
    tries_used: int
    tries_left: int | None
    """``None`` when tries are unlimited."""
    settled: bool
    """No more tries: the answer is right or the tries are used up."""

    @property
    def show_solution(self) -> bool:
        """Reveal the explanation (and, when wrong, the correct answer)."""
        return self.settled


class QuizAttempt:
    """One learner's attempt at one quiz: which questions, in which order, and the answers."""

    def __init__(
        self,
        quiz_id: str,
        questions: tuple[Question, ...],
        policy: QuizPolicy,
        *,
        attempt_id: str | None = None,
        seed: int = 0,
    ) -> None:
        self.quiz_id = quiz_id
        self.policy = policy
        self.attempt_id = attempt_id or str(uuid.uuid4())
        self.seed = seed
        self.questions = questions
        self._tries: dict[str, int] = {}
        self._last: dict[str, AnswerResult] = {}
        self._settled: set[str] = set()

    @classmethod
    def start(
        cls,
        quiz_id: str,
        pool: tuple[Question, ...],
        policy: QuizPolicy,
        *,
        learner_id: str,
        attempt: int,
        clauses: tuple[str, ...] = (),
        attempt_id: str | None = None,
    ) -> QuizAttempt:
        """Draw and order the questions for this learner's ``attempt``-th try, reproducibly.

        A policy with its own ``pool`` (the final assessment) draws from it, not from ``pool``;
        with decision sets or an application share it draws by :func:`draw_final`."""
        seed = attempt_seed(learner_id, quiz_id, attempt)
        rng = random.Random(seed)
        by_clause = clauses if policy.by_clause else ()
        pool = policy.pool or pool
        if policy.scenarios or policy.min_application:
            drawn = draw_final(pool, policy, rng, clauses=by_clause)
        else:
            drawn = draw_questions(pool, policy.draw, rng, clauses=by_clause)
            if not policy.shuffle:
                drawn = tuple(q for q in pool if q in drawn)
        if policy.partial_credit:
            drawn = with_partial_credit(drawn)
        return cls(quiz_id, drawn, policy, attempt_id=attempt_id, seed=seed)

    def option_order(self, question: Question) -> tuple[str, ...]:
        """IDs of the options in display order (shuffled per attempt when the policy says so)."""
        items = question.order or question.choices or question.pairs
        ids = tuple(item.id for item in items)
        if question.type is QuestionType.TRUE_FALSE:  # always "Đúng" then "Sai"
            return tuple(
                sorted(ids, key=lambda i: question.choices[ids.index(i)].text != TRUE_FALSE_LABELS[0])
            )
        if not self.policy.shuffle and not question.order:
            return ids
        order = shuffled(neutral_order(items), random.Random(f"{self.seed}:{question.id}"))
        if question.order and order == ids and len(ids) > 1:
            order = order[1:] + order[:1]  # never show an ordering question already solved
        return order

    def check(self, question_id: str, response: Response) -> CheckOutcome:
        """Score a response; raises ``ValueError`` once the question is settled."""
        question = self._question(question_id)
        if question_id in self._settled:
            raise ValueError(f"question {question_id!r} is already settled")
        result = score(question, response)
        used = self._tries.get(question_id, 0) + 1
        self._tries[question_id] = used
        self._last[question_id] = result
        limit = self.policy.tries
        settled = result.correct or (limit is not None and used >= limit)
        if settled:
            self._settled.add(question_id)
        left = None if limit is None else max(0, limit - used)
        return CheckOutcome(result, used, left, settled)

    def give_up(self, question_id: str) -> None:
        """Settle a question without a further try (e.g. "Xem đáp án" with unlimited tries)."""
        self._question(question_id)
        self._settled.add(question_id)

    def restore(self, question_id: str, result: AnswerResult, tries: int, settled: bool) -> None:
        """Put back an answer saved earlier (resume after a reload)."""
        self._question(question_id)
        self._tries[question_id] = tries
        self._last[question_id] = result
        if settled:
            self._settled.add(question_id)

    def is_settled(self, question_id: str) -> bool:
        return question_id in self._settled

    def last_answer(self, question_id: str) -> AnswerResult | None:
        return self._last.get(question_id)

    @property
    def finished(self) -> bool:
        return all(q.id in self._settled for q in self.questions)

    def result(self) -> QuizResult:
        """The attempt's result; unanswered questions count as zero."""
        answers = tuple(
            self._last.get(q.id) or AnswerResult(q.id, "", 0.0, float(q.points), False, (), q.cites)
            for q in self.questions
        )
        return QuizResult(self.quiz_id, self.attempt_id, answers, self.policy.pass_mark)

    def _question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)
