"""A learner's session: the engine's quiz attempts and scenario paths, resumed from and saved
to the records store as they happen. Plain Python (no ipywidgets): the views call it.

Voila starts a fresh kernel for every page load, so nothing here lives only in memory: each
answer and scenario choice is written in its own transaction the moment it is made, and a
reload rebuilds the same attempt (same draw, same order, same answers) from the store.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from widgets.content.model import Course, Module, ModuleKind, Question, Rating, Scenario
from widgets.engine.progress import FINAL_ID, LockedError, requirements_for
from widgets.engine.quiz import CheckOutcome, QuizAttempt
from widgets.engine.results import QuizResult, ScenarioResult, ScenarioStep
from widgets.engine.scoring import score
from widgets.records import audit
from widgets.records.models import Certificate, Learner, Progress
from widgets.records.store import Store


class LearnerSession:
    """One signed-in learner working through one course."""

    def __init__(self, course: Course, store: Store, learner: Learner, *, token: str | None = None) -> None:
        self.course = course
        self.store = store
        self.learner = learner
        self.token = token
        """The sign-in session's token, which the page's links carry (never the learner ID);
        ``None`` only for a session built directly (tests, JupyterHub's own sign-in)."""
        self._finals: set[str] = set()
        """Final-assessment attempts this session opened (so the course's rules held)."""

    @property
    def kiosk_token(self) -> str | None:
        """The session token (its name from when only kiosks had one)."""
        return self.token

    @classmethod
    def start(cls, course: Course, store: Store, learner: Learner, ttl: timedelta) -> LearnerSession:
        """A session for a learner who just proved who they are (a new token, unused for ``ttl``)."""
        return cls(course, store, learner, token=store.open_session(learner.id, ttl))

    @classmethod
    def resume(cls, course: Course, store: Store, token: object, ttl: timedelta) -> LearnerSession:
        """The session named by a token (its expiry slides); raises
        :class:`~widgets.records.errors.SessionRefusedError` if it has ended, expired or never was."""
        learner = store.resume_session(token, ttl)
        return cls(course, store, learner, token=str(token))

    start_kiosk = start
    resume_kiosk = resume

    def keep_alive(self, ttl: timedelta) -> bool:
        """The learner is still here: slide the token's expiry; whether it was live."""
        if self.token is None:
            return True
        return self.store.keep_session(self.token, ttl)

    def end(self) -> None:
        """Sign out (Kết thúc): the token stops working at once."""
        if self.token is not None:
            self.store.end_session(self.token, self.learner.id)

    @staticmethod
    def quiz_id(module: Module) -> str:
        """The final assessment is ``final``; a practice quiz has its module's ID."""
        return FINAL_ID if module.kind is ModuleKind.ASSESSMENT else module.id

    def question_pool(self, module: Module) -> tuple[Question, ...]:
        return self.course.questions if module.kind is ModuleKind.ASSESSMENT else module.questions

    def quiz_attempt(self, module: Module) -> QuizAttempt:
        """The open attempt at the module's quiz with its saved answers, or a new attempt.

        A new final-assessment attempt past the daily limit raises ``AttemptLimitError``; the
        final before every required module is complete raises :class:`LockedError`.
        """
        quiz_id = self.quiz_id(module)
        if quiz_id == FINAL_ID:
            self.require_final_unlocked()
        history = self.store.attempts(self.learner.id, quiz_id)
        opened = self.store.open_attempt(self.learner.id, quiz_id)
        if opened is not None:
            number = 1 + [a.id for a in history].index(opened.attempt.id)
            attempt_id = opened.attempt.id
        else:
            number = len(history) + 1
            attempt_id = str(uuid.uuid4())
            self.store.start_attempt(self.learner.id, quiz_id, attempt_id=attempt_id, module_id=module.id)
            if quiz_id == FINAL_ID:
                self.store.audit(
                    audit.FINAL_ATTEMPT, self.learner.id, {"attempt": attempt_id, "number": number}
                )
        attempt = QuizAttempt.start(
            quiz_id,
            self.question_pool(module),
            module.quiz,
            learner_id=self.learner.id,
            attempt=number,
            clauses=self.course.directive.clause_ids,
            attempt_id=attempt_id,
        )
        if quiz_id == FINAL_ID:
            self._finals.add(attempt_id)
        if opened is not None:
            drawn = {q.id: q for q in attempt.questions}
            for question_id, stored in opened.answers.items():
                if question_id in drawn:
                    result = score(drawn[question_id], stored.response)
                    tries = module.quiz.tries
                    settled = result.correct or (tries is not None and stored.try_no >= tries)
                    attempt.restore(question_id, result, stored.try_no, settled)
        return attempt

    def save_answer(self, attempt: QuizAttempt, question: Question, outcome: CheckOutcome) -> str:
        """Write one checked answer (its own transaction); returns the answer's ID."""
        self._require_opened(attempt.quiz_id, attempt.attempt_id)
        return self.store.record_answer(
            self.learner.id,
            attempt.attempt_id,
            attempt.quiz_id,
            outcome.answer,
            module_id=self.course.module_of(question.id).id,
            try_no=outcome.tries_used,
        )

    def finish_quiz(self, module: Module, result: QuizResult) -> None:
        self._require_opened(result.quiz_id, result.attempt_id)
        self.store.finish_quiz(self.learner.id, result, module_id=module.id)

    def require_final_unlocked(self) -> Progress:
        """The learner's progress if the final assessment may start; else :class:`LockedError`."""
        progress = self.progress()
        lock = progress.final_lock()
        if lock is not None:
            raise LockedError("final assessment", lock)
        return progress

    def _require_opened(self, quiz_id: str, attempt_id: str) -> None:
        """A final-assessment answer or result is saved only while the rules hold: for an attempt
        this session opened through :meth:`quiz_attempt` (which checked them), else checked now."""
        if quiz_id == FINAL_ID and attempt_id not in self._finals:
            self.require_final_unlocked()
            self._finals.add(attempt_id)

    def issue_certificate(self) -> Certificate:
        """The learner's certificate, issued once the course's rules hold: every required module
        complete, the final passed and the pledge signed; else :class:`LockedError`."""
        progress = self.progress()
        lock = progress.certificate_lock()
        if lock is not None:
            raise LockedError("certificate", lock)
        certificate = self.store.issue_certificate(self.learner.id)
        if progress.certificate is None:  # issued now, not shown again
            detail = {"code": certificate.code, "certificate": certificate.id}
            self.store.audit(audit.CERTIFICATE_ISSUED, self.learner.id, detail)
        return certificate

    def scenario_run(self, module: Module, scenario: Scenario) -> tuple[str, tuple[ScenarioStep, ...]]:
        """The open run of a scenario and its steps so far, or a new run."""
        opened = self.store.open_attempt(self.learner.id, scenario.id)
        if opened is not None:
            steps = tuple(
                ScenarioStep(
                    s.node_id, s.action_id, _rating(scenario, s.node_id, s.action_id), s.next_node_id
                )
                for s in sorted(opened.steps, key=lambda s: s.step_no)
            )
            return opened.attempt.id, steps
        run_id = str(uuid.uuid4())
        self.store.start_scenario(self.learner.id, scenario.id, module.id, run_id=run_id)
        return run_id, ()

    def save_step(
        self, module: Module, scenario: Scenario, run_id: str, step: ScenarioStep, result: ScenarioResult
    ) -> None:
        """Write one scenario choice; close the run when it reached an end."""
        step_no = len(result.steps) - 1
        self.store.record_choice(self.learner.id, run_id, scenario.id, module.id, step_no, step)
        if result.finished:
            self.store.finish_scenario(self.learner.id, run_id, module.id, result)

    def progress(self) -> Progress:
        return self.store.progress(self.learner.id, requirements_for(self.course))


def _rating(scenario: Scenario, node_id: str, action_id: str) -> Rating:
    for action in scenario.node(node_id).actions:
        if action.id == action_id:
            return action.rating
    raise KeyError((node_id, action_id))
