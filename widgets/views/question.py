"""One question on screen: stem, answer input, "Kiểm tra", feedback, then explanation and citation.

Grading happens in the kernel through ``QuizAttempt.check``; the browser only ever receives
labels, and after a check the feedback for the learner's own answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import ipywidgets as w

from widgets.content.model import Directive, Question, QuestionType
from widgets.engine.quiz import CheckOutcome, QuizAttempt
from widgets.engine.solution import solution_lines
from widgets.i18n import t
from widgets.render.fragments import prepare, render
from widgets.runtime.publish import show_first
from widgets.runtime.sync import FrontEndBarrier, shared_barrier
from widgets.views.answers import answer_input

log = logging.getLogger(__name__)

CheckedCallback = Callable[[Question, CheckOutcome], None]


class QuestionView(w.VBox):
    """A question of any type, checked in the kernel."""

    def __init__(
        self,
        question: Question,
        attempt: QuizAttempt,
        directive: Directive,
        *,
        position: str = "",
        barrier: FrontEndBarrier | None = None,
    ) -> None:
        super().__init__()
        self.question = question
        self.attempt = attempt
        self.directive = directive
        self._callbacks: list[CheckedCallback] = []
        self.input = answer_input(question, attempt.option_order(question))
        instruction = {
            QuestionType.SINGLE: t("quiz.choose_one"),
            QuestionType.TRUE_FALSE: t("quiz.choose_one"),
            QuestionType.MULTIPLE: t("quiz.choose_many"),
        }.get(question.type, "")
        self.stem = w.HTML(render("stem", stem=question.stem, position=position, instruction=instruction))
        self.submit = w.Button(description=t("quiz.check"), button_style="primary")
        self.submit.add_class("nk-submit")
        self.barrier = barrier or shared_barrier()
        self.watched = self.barrier.watch(self.input.controls())  # flushed while the learner reads
        self._checking = False
        self.submit.on_click(lambda _: self.press_check())
        self.feedback = w.HTML()
        self.feedback.add_class("nk-feedback")
        self._revealed: list[Callable[[Question], None]] = []
        self.reveal: w.Button | None = None  # "Xem đáp án": unlimited tries, after a wrong answer
        # Made now, empty and hidden, so that settling only fills them in: no new widgets for
        # the browser to build just after the verdict. Their classes come with their text, so
        # ``.nk-explanation-box`` and ``.nk-citation`` exist in the page only once shown.
        self.explanation = _hidden_html()
        self.citation = _hidden_html()
        parts: list[w.Widget] = [self.stem, self.input.widget]
        if question.hint:
            parts.append(w.HTML(render("hint", hint=question.hint)))
        parts += [self.submit, self.feedback, self.explanation, self.citation]
        self.children = tuple(parts)  # the traitlet holds a tuple either way
        self.add_class("nk-question")
        self.add_class(f"nk-q-{question.id}")
        # Loaded and rendered now, not while the learner waits for a verdict.
        feedbacks = (*(c.feedback for c in question.choices), *(p.feedback for p in question.pairs))
        prepare(["feedback"], markdown=feedbacks)
        if (previous := attempt.last_answer(question.id)) is not None and attempt.is_settled(question.id):
            self._show_settled(previous.correct)

    def on_checked(self, callback: CheckedCallback, remove: bool = False) -> None:
        """Call ``callback(question, outcome)`` after every check (to save the answer): once the
        verdict is on its way to the browser, before the question locks and shows its solution."""
        if remove:
            self._callbacks.remove(callback)
        else:
            self._callbacks.append(callback)

    def on_revealed(self, callback: Callable[[Question], None]) -> None:
        """Call ``callback(question)`` when the learner gives up and asks for the answer."""
        self._revealed.append(callback)

    def give_up(self) -> None:
        """What "Xem đáp án" does: settle the question without a further try and show the
        solution (offered only when tries are unlimited, so nobody is stuck on a question)."""
        if self.settled:
            return
        self.attempt.give_up(self.question.id)
        self._show_settled(False)
        for callback in list(self._revealed):
            callback(self.question)

    @property
    def settled(self) -> bool:
        return self.attempt.is_settled(self.question.id)

    def press_check(self) -> None:
        """What pressing "Kiểm tra" does: check once the browser has sent the whole answer
        (keys pressed just before the button may still be on their way; see ``sync``): at once
        when the background flush has already brought every update of the inputs."""
        if self._checking:
            return  # a second press before the first is graded would spend a try on nothing
        self._checking = True

        def run() -> None:
            self._checking = False
            self.check()

        self.barrier.then(run, self.watched)

    def check(self) -> CheckOutcome | None:
        """Grade the answer the kernel has; returns the outcome (``None`` if nothing to check)."""
        response = self.input.response()
        if response is None:
            self._show_feedback(t("quiz.no_answer"), (), "", None)
            return None
        try:
            outcome = self.attempt.check(self.question.id, response)
        except ValueError:
            log.exception("checking %s failed", self.question.id)
            self._show_feedback(t("quiz.error"), (), "", None)
            return None
        answer = outcome.answer
        if answer.correct:
            verdict = t("quiz.correct")
        elif answer.score > 0:
            verdict = t("quiz.partly", score=_number(answer.score), max=_number(answer.max_score))
        else:
            verdict = t("quiz.incorrect")
        note = ""
        if not outcome.settled:
            note = (
                t("quiz.tries_left", left=outcome.tries_left) if outcome.tries_left else t("quiz.try_again")
            )
        self._show_feedback(verdict, answer.feedback, note, answer.correct)
        show_first()  # the verdict leaves, with a head start on the saving that follows
        try:
            for callback in list(self._callbacks):
                callback(self.question, outcome)
        finally:  # the answer is saved before its solution is shown, and the question locks anyway
            if outcome.settled:
                self._show_settled(answer.correct)
            elif outcome.tries_left is None and self.reveal is None:
                self.reveal = w.Button(description=t("quiz.reveal"))
                self.reveal.add_class("nk-reveal")
                self.reveal.on_click(lambda _: self.give_up())
                before = self.children.index(self.explanation)
                self.children = (*self.children[:before], self.reveal, *self.children[before:])
        return outcome

    def _show_feedback(
        self, verdict: str, feedback: tuple[str, ...], note: str, correct: bool | None
    ) -> None:
        html = render("feedback", verdict=verdict, feedback=feedback, note=note)
        with self.feedback.hold_sync():  # text and verdict class reach the browser in one message
            self.feedback.value = html
            self.feedback.remove_class("nk-correct")
            self.feedback.remove_class("nk-incorrect")
            if correct is not None:
                self.feedback.add_class("nk-correct" if correct else "nk-incorrect")

    def _show_settled(self, correct: bool) -> None:
        """Lock the question and reveal the explanation, the solution if wrong, and the clauses."""
        self.input.set_disabled(True)
        self.submit.disabled = True
        if self.reveal is not None:
            self.reveal.disabled = True
        solution = () if correct else solution_lines(self.question)
        explanation = render("explanation", explanation=self.question.explanation, solution=solution)
        clauses = [self.directive.clause(cid) for cid in self.question.cites]
        citation = render("citation", clauses=clauses, directive=self.directive)
        for box, html, css_class in (
            (self.explanation, explanation, "nk-explanation-box"),
            (self.citation, citation, "nk-citation"),
        ):
            with box.hold_sync():
                box.value = html
                box.add_class(css_class)
            box.layout.display = None


def _hidden_html() -> w.HTML:
    return w.HTML(layout=w.Layout(display="none"))


def _number(value: float) -> str:
    return f"{value:g}"
