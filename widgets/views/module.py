"""A module page: lesson, practice quiz, scenario cases and navigation, saved as it goes."""

from __future__ import annotations

import itertools

import ipywidgets as w

from widgets.content.model import Course, Module, ModuleKind, Question, Scenario
from widgets.engine.final import rules_summary
from widgets.engine.progress import LockedError
from widgets.engine.quiz import CheckOutcome, QuizAttempt
from widgets.engine.results import ScenarioResult, ScenarioStep
from widgets.i18n import t
from widgets.records.errors import AttemptLimitError
from widgets.render.fragments import render
from widgets.session import LearnerSession
from widgets.views.context import page_session
from widgets.views.kiosk import kiosk_bar
from widgets.views.locked import guest_final_lock, locked_html
from widgets.views.quiz import QuizView
from widgets.views.scenario import ScenarioView
from widgets.views.sitelinks import HOME_NOTEBOOK, SiteLinks

GUEST = "khach"


def module_page(module_id: str, course: Course | None = None) -> w.Widget:
    """The page of one module for the learner named in the URL (a guest otherwise)."""
    course, _, session = page_session(course)
    module = course.module(module_id)
    site = SiteLinks.of(session)
    links = _links(course, module, site)
    # Text that never changes goes in as few HTML widgets as possible: each widget is a model
    # the browser must create and render before the page is ready.
    top = render("header", course=course, title=module.title, summary=module.summary) + site.nav_html("")
    parts: list[w.Widget] = [w.HTML(top)]
    if controls := kiosk_bar(session):
        parts.append(controls)
    lesson = [render("nav", links=links)]
    locked = _final_locked(course, module, session, site)
    if locked:  # first, where a direct visit sees it: what remains, each step linked
        lesson.append(locked)
    elif session is None:
        lesson.append(render("message", text=t("module.sign_in_first"), kind="warning"))
    lesson.append(render("lesson", sections=module.sections, clause_hrefs=site.clauses(course)))
    if module.kind is ModuleKind.ASSESSMENT:
        lesson.append(render("final_rules", text=final_rules_text(module)))
    quiz = None if locked else _quiz(course, module, session, site)
    if quiz is not None:
        lesson.append(render("heading", text=t("quiz.heading")))
    parts.append(w.HTML("".join(lesson)))
    if quiz is not None:
        parts.append(quiz)
    if not locked:
        parts += [_scenario(course, module, scenario, session) for scenario in module.scenarios]
    parts.append(w.HTML(render("nav", links=links)))
    page = w.VBox(parts)
    page.add_class("nk-page")
    page.add_class(f"nk-module-{module.id}")
    return page


def final_rules_text(module: Module) -> str:
    """The final's drawing and scoring rules in one sentence, shown before the learner starts."""
    rules = rules_summary(module.quiz)
    count = rules["draw"] or len(module.quiz.pool)
    text = t(
        "final.rules",
        draw=count,
        scenarios=rules["scenarios"],
        application=rules["min_application"],
        pass_mark=rules["pass_mark"],
    )
    return f"{text} {t('final.partial_credit')}" if rules["partial_credit"] else text


def _final_locked(course: Course, module: Module, session: LearnerSession | None, site: SiteLinks) -> str:
    """The final assessment's ``nk-locked`` message while the course's rules keep it closed
    (to a guest, or before every required module is complete); ``""`` when it is open."""
    if module.kind is not ModuleKind.ASSESSMENT:
        return ""
    lock = guest_final_lock(course) if session is None else session.progress().final_lock()
    return "" if lock is None else locked_html(lock, course, site, lead="locked.final_lead")


def _quiz(course: Course, module: Module, session: LearnerSession | None, site: SiteLinks) -> w.Widget | None:
    clause_hrefs = site.clauses(course)
    if session is None:
        return _guest_quiz(course, module, clause_hrefs)
    if not session.question_pool(module):
        return None

    def limit_message() -> w.Widget:
        return w.HTML(render("message", text=t("module.final_limit"), kind="warning"))

    try:
        attempt = session.quiz_attempt(module)
    except AttemptLimitError:
        return limit_message()
    except LockedError as error:
        return w.HTML(locked_html(error.lock, course, site, lead="locked.final_lead"))

    def next_attempt() -> QuizAttempt | None:
        try:
            return session.quiz_attempt(module)
        except (AttemptLimitError, LockedError):
            view.children = [*view.children, limit_message()]
            return None

    view = QuizView(attempt, course.directive, new_attempt=next_attempt, clause_hrefs=clause_hrefs)

    def save(question: Question, outcome: CheckOutcome) -> None:
        session.save_answer(view.attempt, question, outcome)

    view.on_checked(save)
    view.on_finished(lambda result: session.finish_quiz(module, result))
    return view


def _guest_quiz(course: Course, module: Module, clause_hrefs: dict[str, str]) -> w.Widget | None:
    """A quiz that is scored but not saved (no learner in the URL); never the final assessment,
    which guests cannot take (:func:`_final_locked` shows why instead)."""
    if module.kind is ModuleKind.ASSESSMENT:
        return None
    questions = module.questions  # never the final assessment (returned above)
    if not questions:
        return None
    numbers = itertools.count(1)

    def guest_attempt() -> QuizAttempt:
        return QuizAttempt.start(
            module.id,
            questions,
            module.quiz,
            learner_id=GUEST,
            attempt=next(numbers),
            clauses=course.directive.clause_ids,
        )

    return QuizView(guest_attempt(), course.directive, new_attempt=guest_attempt, clause_hrefs=clause_hrefs)


def _scenario(
    course: Course, module: Module, scenario: Scenario, session: LearnerSession | None
) -> ScenarioView:
    if session is None:
        return ScenarioView(scenario, course.directive, seed=GUEST)
    run_id, steps = session.scenario_run(module, scenario)
    view = ScenarioView(scenario, course.directive, steps, seed=session.learner.id)
    finished = False

    def save(step: ScenarioStep, result: ScenarioResult) -> None:
        nonlocal run_id, finished
        if len(result.steps) == 1 and finished:
            run_id, _ = session.scenario_run(module, scenario)  # a restart opens a new run
            finished = False
        session.save_step(module, scenario, run_id, step, result)
        finished = result.finished

    view.on_step(save)
    return view


def _links(course: Course, module: Module, site: SiteLinks) -> dict[str, str | None]:
    index = course.modules.index(module)
    previous = course.modules[index - 1] if index > 0 else None
    following = course.modules[index + 1] if index + 1 < len(course.modules) else None
    return {
        "home": site.page(HOME_NOTEBOOK),
        "previous": site.page(previous.notebook) if previous else None,
        "next": site.page(following.notebook) if following else None,
    }
