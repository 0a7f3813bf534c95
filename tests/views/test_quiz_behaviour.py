"""Quiz behaviour a learner relies on: a way out of unlimited tries, and a summary whose
"review" list links each question's clauses to the full text."""

from __future__ import annotations

from widgets.content.model import Course, QuizPolicy
from widgets.engine.quiz import QuizAttempt
from widgets.views.question import QuestionView
from widgets.views.quiz import QuizView
from widgets.views.sitelinks import SiteLinks

from .state import widget_tree


def classes(widget: object) -> set[str]:
    return set(getattr(widget, "_dom_classes", ()))


def find(root: object, css: str) -> list:
    return [widget for widget in widget_tree(root) if css in classes(widget)]  # type: ignore[arg-type]


def single_quiz(course: Course, tries: int | None) -> QuizView:
    question = course.question("q-ban-hanh")
    attempt = QuizAttempt("m", (question,), QuizPolicy(tries=tries, shuffle=False), seed=1)
    return QuizView(attempt, course.directive)


def pick(view: QuestionView, choice_id: str) -> None:
    view.input.widget.index = view.input.ids.index(choice_id)


def test_unlimited_tries_offer_the_answer_after_a_wrong_try(course: Course) -> None:
    quiz = single_quiz(course, tries=None)
    view = quiz.current
    assert view is not None and not find(quiz, "nk-reveal")  # nothing to reveal before a try
    pick(view, "b")
    view.submit.click()
    assert not view.settled and quiz.next_button.layout.display == "none"
    [reveal] = find(quiz, "nk-reveal")
    assert reveal.description == "Xem đáp án"
    order = list(view.children)
    assert order.index(view.feedback) < order.index(reveal) < order.index(view.explanation)
    pick(view, "b")
    view.submit.click()  # a second wrong try adds no second button
    assert len(find(quiz, "nk-reveal")) == 1
    reveal.click()
    assert view.settled and view.submit.disabled and reveal.disabled
    assert "Đáp án đúng" in view.explanation.value and "Ủy ban nhân dân tỉnh Mẫu" in view.explanation.value
    assert 'data-clause="doc"' in view.citation.value
    assert quiz.next_button.layout.display is None
    quiz.next_button.click()
    assert "nk-failed" in quiz.summary._dom_classes and quiz.attempt.result().score == 0.0


def test_limited_tries_never_offer_the_answer_early(course: Course) -> None:
    quiz = single_quiz(course, tries=3)
    view = quiz.current
    assert view is not None
    pick(view, "b")
    view.submit.click()
    pick(view, "b")
    view.submit.click()
    assert not view.settled and not find(quiz, "nk-reveal")


def test_right_answer_with_unlimited_tries_needs_no_reveal(course: Course) -> None:
    quiz = single_quiz(course, tries=None)
    view = quiz.current
    assert view is not None
    pick(view, "a")
    view.submit.click()
    assert view.settled and not find(quiz, "nk-reveal")


def test_summary_links_each_question_to_review_to_its_clauses(course: Course) -> None:
    module = course.module("tong-quan")
    attempt = QuizAttempt("tong-quan", module.questions[:3], QuizPolicy(tries=1, shuffle=False), seed=1)
    hrefs = SiteLinks("T-42").clauses(course)
    quiz = QuizView(attempt, course.directive, clause_hrefs=hrefs)
    for answer in ("b", "a", ("c",)):  # all three wrong: q-ban-hanh, q-ruou, q-nhieu
        view = quiz.current
        assert view is not None
        if isinstance(answer, tuple):
            for box, choice in zip(view.input.boxes, view.input.ids, strict=True):
                box.value = choice in answer
        else:
            pick(view, answer)
        view.submit.click()
        quiz.next_button.click()
    summary = quiz.summary.value
    assert "nk-failed" in quiz.summary._dom_classes and "Chưa đạt" in summary
    assert "0/3" in summary and "80%" in summary
    for clause_id in ("doc", "officials.1"):
        link = f'data-clause="{clause_id}" href="van-ban.ipynb?session=T-42#clause-{clause_id}"'
        assert f'<a class="nk-clause-id" {link}' in summary
    assert summary.count("<li>") == 3


def test_summary_without_links_still_names_the_clauses(course: Course) -> None:
    quiz = single_quiz(course, tries=1)
    view = quiz.current
    assert view is not None
    pick(view, "b")
    view.submit.click()
    quiz.next_button.click()
    shown = '<span class="nk-clause-id" data-clause="doc" title="Văn bản">Phần mở đầu của Công văn</span>'
    assert shown in quiz.summary.value  # the clause's name, its ID only in data-clause
