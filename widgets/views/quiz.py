"""A quiz: one question at a time, "Câu tiếp theo", then the summary with what to review."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import ipywidgets as w

from widgets.content.markdown import plain_text
from widgets.content.model import Directive, Question
from widgets.engine.quiz import CheckOutcome, QuizAttempt
from widgets.engine.results import QuizResult
from widgets.i18n import t
from widgets.render.fragments import render
from widgets.views.question import QuestionView

FinishedCallback = Callable[[QuizResult], None]


class QuizView(w.VBox):
    """Steps through an attempt's questions; each answer is reported as it is checked."""

    def __init__(
        self,
        attempt: QuizAttempt,
        directive: Directive,
        *,
        new_attempt: Callable[[], QuizAttempt | None] | None = None,
        clause_hrefs: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.attempt = attempt
        self.directive = directive
        self.clause_hrefs = clause_hrefs or {}
        """Clause ID → its place on the full-text page, for the summary's "review" list."""
        self.new_attempt = new_attempt
        """Makes the next attempt for "Làm lại" (``None``: no retry offered)."""
        self._checked: list[Callable[[Question, CheckOutcome], None]] = []
        self._finished: list[FinishedCallback] = []
        self.index = 0
        self.next_button = w.Button(description=t("quiz.next"))
        self.next_button.add_class("nk-next")
        self.next_button.on_click(lambda _: self.next())
        self.summary = w.HTML()
        self.summary.add_class("nk-quiz-summary")
        self.retry_button = w.Button(description=t("quiz.retry"))
        self.retry_button.add_class("nk-retry")
        self.retry_button.on_click(lambda _: self.retry())
        self.add_class("nk-quiz")
        self.current: QuestionView | None = None
        self._resume()

    def _resume(self) -> None:
        attempt = self.attempt
        first_open = next((i for i, q in enumerate(attempt.questions) if not attempt.is_settled(q.id)), None)
        if first_open is None and attempt.questions:
            self._show_summary()
        else:
            self._show(first_open or 0)

    def retry(self) -> None:
        """What "Làm lại bài luyện tập" does: a new attempt (new draw and order)."""
        if self.new_attempt is None:
            return
        attempt = self.new_attempt()
        if attempt is not None:
            self.attempt = attempt
            self._resume()

    def on_checked(self, callback: Callable[[Question, CheckOutcome], None]) -> None:
        self._checked.append(callback)

    def on_finished(self, callback: FinishedCallback) -> None:
        self._finished.append(callback)

    def next(self) -> None:
        """What "Câu tiếp theo" / "Xem kết quả" does."""
        if self.current is not None and not self.current.settled:
            return
        if self.index + 1 < len(self.attempt.questions):
            self._show(self.index + 1)
        else:
            self._show_summary()
            result = self.attempt.result()
            for callback in list(self._finished):
                callback(result)

    def _show(self, index: int) -> None:
        self.index = index
        total = len(self.attempt.questions)
        question = self.attempt.questions[index]
        view = QuestionView(
            question,
            self.attempt,
            self.directive,
            position=t("quiz.position", number=index + 1, total=total),
        )
        view.on_checked(self._relay)
        view.on_revealed(lambda _: setattr(self.next_button.layout, "display", None))
        self.current = view
        self.next_button.description = t("quiz.next") if index + 1 < total else t("quiz.finish")
        self.next_button.layout.display = None if view.settled else "none"
        self.children = [view, self.next_button]

    def _relay(self, question: Question, outcome: CheckOutcome) -> None:
        try:
            for callback in list(self._checked):
                callback(question, outcome)
        finally:  # "Câu tiếp theo" once the answer is saved (and even if saving failed)
            if outcome.settled:
                self.next_button.layout.display = None

    def _show_summary(self) -> None:
        result = self.attempt.result()
        review = [
            {
                "stem": plain_text(self.attempt_question(answer.question_id).stem.splitlines()[0]),
                "clauses": [self.directive.clause(cid) for cid in answer.cites],
            }
            for answer in result.to_review
        ]
        self.summary.value = render(
            "quiz_summary",
            result=result,
            score=f"{result.score:g}",
            max_score=f"{result.max_score:g}",
            percent=round(result.percent),
            review=review,
            clause_hrefs=self.clause_hrefs,
        )
        self.summary.remove_class("nk-passed")
        self.summary.remove_class("nk-failed")
        self.summary.add_class("nk-passed" if result.passed else "nk-failed")
        self.current = None
        self.children = [self.summary, self.retry_button] if self.new_attempt else [self.summary]

    def attempt_question(self, question_id: str) -> Question:
        return next(q for q in self.attempt.questions if q.id == question_id)
