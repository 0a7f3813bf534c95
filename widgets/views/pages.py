"""The site's pages: what a notebook displays with one call."""

from __future__ import annotations

import ipywidgets as w

from widgets.content.course import load_course
from widgets.content.model import Course, Module, ModuleKind
from widgets.engine.quiz import QuizAttempt
from widgets.i18n import t
from widgets.views.fragments import render
from widgets.views.quiz import QuizView
from widgets.views.request import page_link, query_params
from widgets.views.scenario import ScenarioView

HOME_NOTEBOOK = "home.ipynb"
GUEST = "khach"


def home_page(course: Course | None = None) -> w.Widget:
    """The home page: the course title and one card per module, in order."""
    course = course or load_course()
    learner = query_params().get("learner")
    cards = []
    for number, module in enumerate(course.modules, start=1):
        card = w.HTML(
            render(
                "module_card",
                module=module,
                number=number,
                state="not_started",
                href=page_link(module.notebook, learner=learner),
            )
        )
        card.add_class("nk-module-card")
        cards.append(card)
    grid = w.VBox(cards)
    grid.add_class("nk-module-grid")
    header = w.HTML(render("header", course=course, title=t("home.modules"), summary=""))
    page = w.VBox([header, grid])
    page.add_class("nk-page")
    page.add_class("nk-home")
    return page


def module_page(module_id: str, course: Course | None = None) -> w.Widget:
    """A module page: lesson, practice quiz, scenario cases, and navigation."""
    course = course or load_course()
    module = course.module(module_id)
    learner = query_params().get("learner")
    links = _links(course, module, learner)
    parts: list[w.Widget] = [
        w.HTML(render("header", course=course, title=module.title, summary=module.summary)),
        w.HTML(render("nav", links=links)),
        w.HTML(render("lesson", sections=module.sections)),
    ]
    pool = course.questions if module.kind is ModuleKind.ASSESSMENT else module.questions
    if pool:
        attempt = QuizAttempt.start(
            module.id,
            pool,
            module.quiz,
            learner_id=learner or GUEST,
            attempt=1,
            clauses=course.directive.clause_ids,
        )
        parts += [w.HTML(f"<h2>{t('quiz.heading')}</h2>"), QuizView(attempt, course.directive)]
    parts += [ScenarioView(scenario, course.directive) for scenario in module.scenarios]
    parts.append(w.HTML(render("nav", links=links)))
    page = w.VBox(parts)
    page.add_class("nk-page")
    page.add_class(f"nk-module-{module.id}")
    return page


def _links(course: Course, module: Module, learner: str | None) -> dict[str, str | None]:
    index = course.modules.index(module)
    previous = course.modules[index - 1] if index > 0 else None
    following = course.modules[index + 1] if index + 1 < len(course.modules) else None
    return {
        "home": page_link(HOME_NOTEBOOK, learner=learner),
        "previous": page_link(previous.notebook, learner=learner) if previous else None,
        "next": page_link(following.notebook, learner=learner) if following else None,
    }
