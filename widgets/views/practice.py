""" "Các dạng câu hỏi": one question of each type and one scenario, to practise the controls.

Nothing here is recorded; the guide module links to it.
"""

from __future__ import annotations

import ipywidgets as w

from widgets.content.course import load_course
from widgets.content.model import Course, Question, QuestionType
from widgets.engine.quiz import QuizAttempt
from widgets.i18n import t
from widgets.render.fragments import render
from widgets.views.question import QuestionView
from widgets.views.scenario import ScenarioView

PRACTICE_ID = "cac-dang-cau-hoi"


def practice_page(course: Course | None = None) -> w.Widget:
    """The first question of every type in the bank, each checkable on its own, then a scenario."""
    course = course or load_course()
    firsts: dict[QuestionType, Question] = {}
    for question in course.questions:
        firsts.setdefault(question.type, question)
    questions = tuple(firsts[kind] for kind in QuestionType if kind in firsts)
    attempt = QuizAttempt.start(
        PRACTICE_ID, questions, course.modules[0].quiz, learner_id="practice", attempt=1
    )
    parts: list[w.Widget] = [
        w.HTML(render("header", course=course, title=t("practice.title"), summary=t("practice.intro")))
    ]
    for number, question in enumerate(questions, start=1):
        label = t("practice.type." + question.type.value)
        parts.append(QuestionView(question, attempt, course.directive, position=f"{number}. {label}"))
    if course.scenarios:
        parts.append(ScenarioView(course.scenarios[0], course.directive))
    page = w.VBox(parts)
    page.add_class("nk-page")
    page.add_class("nk-practice")
    return page
