""" "Nắm vững" (the mastery map on the home page) and "Ôn tập" (the spaced review page).

The rules are the pure core's (:mod:`widgets.engine.mastery`, :mod:`widgets.engine.review`);
this module reads the learner's records, asks the core, and draws the result.

**The clock.** Mastery and due dates are read at :func:`review_now`: the real time, moved
forward only by a test clock. ``$NEUGUONG_TEST_CLOCK_FILE`` names a file holding a number of
days (e.g. ``2.5``); each page load reads it, so a browser test moves the clock between page
loads without sleeping or restarting the server. It is an environment variable of the server
(a learner cannot set it from the browser), it moves "now" forward only and by at most
:data:`MAX_TEST_OFFSET`, it is logged as a warning whenever it applies, and it changes only
how the schedule is *read* (the map, "cần ôn", the next date, which clauses a review draws)
and when a review is recorded as made: the review page writes its start, answers, decision
and end at the clock it reads the schedule with (:class:`ReviewPage`'s ``clock``), so a review
taken "two days later" moves the schedule on from then. Every other timestamp written to the
records, the sessions, the final's daily limit and the certificates keep the store's real
clock. Set in production by mistake, it can only make reviews fall due early.
"""

from __future__ import annotations

import dataclasses as dc
import logging
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import ipywidgets as w

from widgets.content.markdown import plain_text
from widgets.content.model import (
    RATING_POINTS,
    Action,
    Course,
    Directive,
    Node,
    Question,
    QuizPolicy,
    Scenario,
)
from widgets.engine.draw import attempt_seed
from widgets.engine.mastery import (
    REVIEW_MAX,
    MasteryMap,
    MasteryState,
    draw_review,
    mastery_map,
    outcomes,
    requirement_clauses,
)
from widgets.engine.quiz import CheckOutcome, QuizAttempt
from widgets.engine.results import QuizResult, ScenarioResult, ScenarioStep
from widgets.engine.review import Clock
from widgets.engine.scoring import score
from widgets.i18n import t
from widgets.records.errors import RecordsError
from widgets.records.models import OpenAttempt
from widgets.records.policy import COURSE_TZ
from widgets.records.queries import REVIEW_ID
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.session import LearnerSession
from widgets.views.context import page_session
from widgets.views.kiosk import kiosk_bar
from widgets.views.quiz import QuizView
from widgets.views.scenario import ScenarioView
from widgets.views.sitelinks import HOME_NOTEBOOK, SiteLinks

log = logging.getLogger(__name__)

REVIEW_NOTEBOOK = "on-tap.ipynb"
CLOCK_FILE_ENV = "NEUGUONG_TEST_CLOCK_FILE"
MAX_TEST_OFFSET = timedelta(days=400)
SYMBOLS = {
    MasteryState.NEW: "○",
    MasteryState.LEARNING: "◐",
    MasteryState.MASTERED: "✓",
    MasteryState.DUE: "↻",
}
"""Each state has a symbol and a word, never a colour alone."""
REVIEW_POLICY = QuizPolicy(pass_mark=0, tries=1, shuffle=True)
"""One try per question: a review asks what the learner remembers."""


def test_offset() -> timedelta:
    """The test clock's offset (zero unless ``$NEUGUONG_TEST_CLOCK_FILE`` says otherwise)."""
    name = os.environ.get(CLOCK_FILE_ENV, "").strip()
    if not name:
        return timedelta(0)
    try:
        days = float(Path(name).read_text(encoding="utf-8").strip() or 0)
    except (OSError, ValueError) as error:
        log.warning("test clock ignored: %s", error)
        return timedelta(0)
    offset = min(max(timedelta(days=days), timedelta(0)), MAX_TEST_OFFSET)
    if offset:
        log.warning("test clock: the review schedule is read %s ahead (%s)", offset, CLOCK_FILE_ENV)
    return offset


def review_now() -> datetime:
    """The moment the review schedule is read at (see the module docstring)."""
    return datetime.now(UTC) + test_offset()


def learner_mastery(session: LearnerSession, now: datetime | None = None) -> MasteryMap:
    """The signed-in learner's mastery of every clause, at ``now`` (default :func:`review_now`)."""
    store, learner_id = session.store, session.learner.id
    evidence = outcomes(session.course, store.answers(learner_id), store.choices(learner_id))
    return mastery_map(requirement_clauses(session.course.directive), evidence, now or review_now())


def day_month(moment: datetime) -> str:
    """``dd/mm`` in the course's time zone, whatever the browser's locale."""
    return moment.astimezone(COURSE_TZ).strftime("%d/%m")


def next_review_line(mastery: MasteryMap) -> str:
    """ "Hôm nay cần ôn 3 nội dung", "Lần ôn tiếp theo: 12/12", both, or "nothing yet"."""
    lines = []
    if due := mastery.due:
        lines.append(t("mastery.due_today", count=len(due)))
    if (upcoming := mastery.next_review) is not None:
        lines.append(t("mastery.next", date=day_month(upcoming)))
    return " · ".join(lines) or t("mastery.none")


def mastery_html(course: Course, mastery: MasteryMap, review_href: str) -> str:
    """The "Nắm vững" box: the next review, the "Ôn tập" link and one line per clause."""
    items = [
        {
            "id": item.clause_id,
            "label": course.directive.clause(item.clause_id).label,
            "state": item.state.value,
            "symbol": SYMBOLS[item.state],
            "word": t(f"mastery.state.{item.state.value}"),
        }
        for item in mastery.clauses
    ]
    return render(
        "mastery_map",
        items=items,
        next_line=next_review_line(mastery),
        review_href=review_href,
        symbols=[(SYMBOLS[s], t(f"mastery.state.{s.value}")) for s in MasteryState],
    )


def mastery_box(session: LearnerSession) -> w.HTML:
    """The home page's "Nắm vững" widget (``nk-mastery``)."""
    links = SiteLinks.of(session)
    box = w.HTML(mastery_html(session.course, learner_mastery(session), links.page(REVIEW_NOTEBOOK)))
    box.add_class("nk-mastery")
    return box


def due_clause_names(session: LearnerSession) -> list[str]:
    """The labels of the clauses due for review now (for the certificate page)."""
    mastery = learner_mastery(session)
    return [session.course.directive.clause(cid).label for cid in mastery.due]


class DecisionView(ScenarioView):
    """One decision of a scenario: the node, its actions, then the outcome (no "continue")."""

    def __init__(self, scenario: Scenario, node: Node, directive: Directive, *, seed: int | str) -> None:
        super().__init__(dc.replace(scenario, start=node.id), directive, seed=seed)
        self.original = scenario
        self.add_class("nk-review-decision")

    def _show_outcome(self, action: Action, position: int) -> None:
        super()._show_outcome(action, position)
        self.children = [c for c in self.children if "nk-next" not in c._dom_classes]


class ReviewQuizView(QuizView):
    """The review's questions: the quiz's steps, with a summary that neither passes nor fails."""

    def _show_summary(self) -> None:
        result = self.attempt.result()
        review = [
            {
                "stem": plain_text(self.attempt_question(answer.question_id).stem.splitlines()[0]),
                "clauses": [self.directive.clause(cid) for cid in answer.cites],
            }
            for answer in result.to_review
        ]
        right = sum(1 for answer in result.answers if answer.correct)
        self.summary.value = render(
            "review_summary",
            right=right,
            total=len(result.answers),
            review=review,
            clause_hrefs=self.clause_hrefs,
        )
        self.current = None
        self.children = [self.summary]


class ReviewPage(w.VBox):
    """ "Ôn tập": 5–10 questions and one scenario decision on the clauses due, each saved at once."""

    def __init__(
        self,
        course: Course,
        store: Store | None,
        session: LearnerSession | None,
        *,
        clock: Clock = review_now,
    ) -> None:
        super().__init__()
        self.course = course
        self.session = session
        self.clock = clock
        """Reads the schedule and dates what the review writes (default :func:`review_now`)."""
        self.links = SiteLinks.of(session)
        self.add_class("nk-page")
        self.add_class("nk-review-page")
        header = w.HTML(render("header", course=course, title=t("review.title"), summary=t("review.intro")))
        self.body = w.VBox()
        self.body.add_class("nk-review-body")
        parts: list[w.Widget] = [header, self.links.nav("")]
        if (bar := kiosk_bar(session)) is not None:
            parts.append(bar)
        self.children = [*parts, self.body]
        self.quiz: QuizView | None = None
        self.decision: DecisionView | None = None
        self.review_id: str | None = None
        self._decided = False
        self._finished = False
        if store is None:
            self._notice(t("signin.unavailable"), "error")
        elif session is None:
            self._notice(t("review.sign_in"), "warning")
        else:
            try:
                self._start(session)
            except RecordsError:
                log.exception("review not started")
                self._notice(t("review.error"), "error")

    def _notice(self, text: str, kind: str) -> None:
        notice = w.HTML(render("notice", text=text, kind=kind, href=self.links.page(HOME_NOTEBOOK)))
        notice.add_class("nk-review-notice")
        self.body.children = [notice]

    def _start(self, session: LearnerSession) -> None:
        store, learner = session.store, session.learner
        opened = store.open_review(learner.id)
        answers, choices = store.answers(learner.id), store.choices(learner.id)
        if opened is not None:  # the draw as it was when the review began
            began = opened.attempt.started_at
            answers = [a for a in answers if a.answered_at < began]
            choices = [c for c in choices if c.chosen_at < began]
        evidence = outcomes(self.course, answers, choices)
        now = self.clock()
        mastery = mastery_map(requirement_clauses(self.course.directive), evidence, now)
        review_id = opened.attempt.id if opened is not None else str(uuid.uuid4())
        draw = draw_review(self.course, mastery.due, evidence, seed=f"{learner.id}:{review_id}")
        questions = draw.questions
        if opened is not None:  # whatever was answered stays in the review
            answered = [q for q in (self._question(qid) for qid in opened.answers) if q is not None]
            questions = (*answered, *(q for q in questions if q not in answered))[
                : max(REVIEW_MAX, len(answered))
            ]
        if not questions and draw.decision is None:
            later = _next_line(mastery) if mastery.next_review is not None else t("review.not_started")
            self._notice(f"{t('review.nothing')} {later}", "info")
            return
        if opened is None:
            store.start_review(learner.id, review_id=review_id, started_at=now)
        self.review_id = review_id
        seed = attempt_seed(learner.id, REVIEW_ID, int(uuid.UUID(review_id)) % 1_000_000)
        attempt = QuizAttempt(REVIEW_ID, tuple(questions), REVIEW_POLICY, attempt_id=review_id, seed=seed)
        if opened is not None:
            self._restore(attempt, opened)
        names = ", ".join(self.course.directive.clause(cid).label for cid in draw.clauses)
        parts: list[w.Widget] = [
            w.HTML(render("message", text=t("review.clauses", names=names), kind="info"))
        ]
        if questions:
            self.quiz = ReviewQuizView(
                attempt, self.course.directive, clause_hrefs=self.links.clauses(self.course)
            )
            self.quiz.on_checked(self._save_answer)
            self.quiz.on_finished(lambda _: self._maybe_finish())
            parts.append(self.quiz)
        if draw.decision is not None:
            parts.append(self._decision_part(*draw.decision, opened, seed))
        else:
            self._decided = True
        self.done = w.HTML()
        self.done.add_class("nk-review-done")
        self.body.children = [*parts, self.done]
        self._maybe_finish()

    def _question(self, question_id: str) -> Question | None:
        try:
            return self.course.question(question_id)
        except KeyError:
            return None

    @staticmethod
    def _restore(attempt: QuizAttempt, opened: OpenAttempt) -> None:
        drawn = {q.id: q for q in attempt.questions}
        for question_id, stored in opened.answers.items():
            if question_id in drawn:
                attempt.restore(question_id, score(drawn[question_id], stored.response), stored.try_no, True)

    def _decision_part(
        self, scenario: Scenario, node: Node, opened: OpenAttempt | None, seed: int
    ) -> w.Widget:
        heading = w.HTML(render("heading", text=t("review.decision")))
        made = opened.steps[0] if opened is not None and opened.steps else None
        if made is not None:
            self._decided = True
            action = next((a for n in scenario.nodes for a in n.actions if a.id == made.action_id), None)
            if action is not None:
                outcome = w.HTML(render("outcome", action=action))
                outcome.add_class("nk-outcome")
                return w.VBox([heading, outcome])
            return heading
        self.decision = DecisionView(scenario, node, self.course.directive, seed=seed)
        self.decision.on_step(self._save_choice)
        return w.VBox([heading, self.decision])

    def _save_answer(self, question: Question, outcome: CheckOutcome) -> None:
        assert self.session is not None and self.review_id is not None
        try:
            self.session.store.record_review_answer(
                self.session.learner.id,
                self.review_id,
                outcome.answer,
                module_id=self.course.module_of(question.id).id,
                try_no=outcome.tries_used,
                answered_at=self.clock(),
            )
        except RecordsError:
            log.exception("review answer not saved")
        self._maybe_finish()

    def _save_choice(self, step: ScenarioStep, result: ScenarioResult) -> None:
        assert self.session is not None and self.review_id is not None and self.decision is not None
        scenario = self.decision.original
        try:
            self.session.store.record_review_choice(
                self.session.learner.id,
                self.review_id,
                scenario.id,
                self.course.module_of(scenario.id).id,
                step,
                chosen_at=self.clock(),
            )
        except RecordsError:
            log.exception("review decision not saved")
        self._decided = True
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        """Close the review once every question is answered and the decision made."""
        if self._finished or not self._decided:
            return
        if self.quiz is not None and not self.quiz.attempt.finished:
            return
        assert self.session is not None and self.review_id is not None
        result = (
            self.quiz.attempt.result()
            if self.quiz is not None
            else QuizResult(REVIEW_ID, self.review_id, (), 0)
        )
        points, best = 0, 0
        if self.decision is not None and self.decision.steps:
            points, best = RATING_POINTS[self.decision.steps[0].rating], max(RATING_POINTS.values())
        try:
            self.session.store.finish_review(
                self.session.learner.id,
                self.review_id,
                result.score + points,
                result.max_score + best,
                finished_at=self.clock(),
            )
        except RecordsError:
            log.exception("review not closed")
        self._finished = True
        mastery = learner_mastery(self.session, self.clock())
        self.done.value = render(
            "notice_line",
            text=f"{t('review.done')} {_next_line(mastery)}",
            href=self.links.page(HOME_NOTEBOOK),
            link=t("review.back_home"),
        )


def _next_line(mastery: MasteryMap) -> str:
    return next_review_line(mastery)


def review_page(course: Course | None = None) -> ReviewPage:
    """The review page for the signed-in learner (``?session=``), else an invitation to sign in."""
    return ReviewPage(*page_session(course))
