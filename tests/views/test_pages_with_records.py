"""Pages wired to a real SQLite store: sign in, answers saved at once, resume after a reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from signing import PIN, fill_form, session_query

from widgets.content.model import Course
from widgets.records.store import open_store
from widgets.views.home import HomePage, home_page
from widgets.views.module import module_page
from widgets.views.question import QuestionView
from widgets.views.quiz import QuizView
from widgets.views.scenario import ScenarioView

from .state import visible_html, widget_tree


def sign_in(name: str = "Lò Thị Mai") -> str:
    page = home_page()
    assert page.form is not None
    learner = fill_form(page.form, name)
    assert learner is not None
    return learner.id


def open_module(monkeypatch: pytest.MonkeyPatch, learner_id: str) -> tuple[QuizView, list[ScenarioView]]:
    monkeypatch.setenv("QUERY_STRING", session_query(open_store(), learner_id))
    page = module_page("tong-quan")
    quiz = next(w for w in widget_tree(page) if isinstance(w, QuizView))
    scenarios = [w for w in widget_tree(page) if isinstance(w, ScenarioView)]
    return quiz, scenarios


def answer_current(quiz: QuizView) -> QuestionView:
    view = quiz.current
    assert view is not None
    if hasattr(view.input.widget, "index") and hasattr(view.input, "ids"):
        view.input.widget.index = 0
    elif hasattr(view.input, "boxes"):
        view.input.boxes[0].value = True
    elif hasattr(view.input, "dropdowns"):
        for box in view.input.dropdowns:
            box.index = 1
    elif view.input.widget.__class__.__name__ == "Text":
        view.input.widget.value = "bộ nội vụ"
    view.submit.click()
    return view


def test_sign_in_shows_progress_and_a_link_with_a_session_token(site: Path) -> None:
    page = home_page()
    assert isinstance(page, HomePage) and page.form is not None
    page.form.name.value = "  Lò   Thị Mai "
    page.form.unit.index = 1
    page.form.role.index = 0
    page.form.pin.value = page.form.pin_confirm.value = PIN
    learner = page.form.sign_in()
    assert learner is not None and learner.full_name == "Lò Thị Mai"
    html = visible_html(page)
    assert re.search(r'home\.ipynb\?session=[A-Za-z0-9_-]{43}"', html)
    assert learner.id not in html
    assert any("nk-progress" in w._dom_classes for w in page.children)


def test_bad_sign_in_is_refused_in_vietnamese(site: Path) -> None:
    page = home_page()
    assert page.form is not None
    page.form.unit.index = 1
    page.form.role.index = 0
    page.form.name.value = "   "
    assert page.form.sign_in() is None
    assert "nk-message-error" in page.form.message.value
    page.form.name.value = "<img src=x onerror=alert(1)>"
    page.form.sign_in()
    assert "<img" not in visible_html(page)


def test_answers_are_saved_at_once_and_resumed_after_reload(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_id = sign_in()
    quiz, _ = open_module(monkeypatch, learner_id)
    first = answer_current(quiz)
    store = open_store()
    saved = store.answers(learner_id)
    assert [a.question_id for a in saved] == [first.question.id]
    order = [q.id for q in quiz.attempt.questions]

    reloaded, _ = open_module(monkeypatch, learner_id)
    assert [q.id for q in reloaded.attempt.questions] == order
    assert reloaded.attempt.attempt_id == quiz.attempt.attempt_id
    assert reloaded.attempt.last_answer(first.question.id) is not None


def test_finishing_quiz_and_scenario_completes_the_module(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_id = sign_in()
    quiz, scenarios = open_module(monkeypatch, learner_id)
    while quiz.current is not None:
        view = quiz.current
        right = _right_answer(view)
        right(view)
        view.submit.click()
        assert view.settled, view.question.id
        quiz.next_button.click()
    assert "nk-passed" in quiz.summary._dom_classes
    scenario = scenarios[0]
    _, scenarios_after_reload = open_module(monkeypatch, learner_id)
    scenario = scenarios_after_reload[0]
    scenario.choice_buttons[0].click()
    # reload in the middle of the scenario: the path so far is kept
    _, resumed = open_module(monkeypatch, learner_id)
    assert len(resumed[0].steps) == 1
    resumed[0].choice_buttons[0].click()
    monkeypatch.setenv("QUERY_STRING", session_query(open_store(), learner_id))
    assert 'data-state="complete"' in visible_html(home_page())


def _right_answer(view: QuestionView):
    question = view.question
    kind = question.type.value
    if kind in {"single", "true-false"}:
        right = next(c.id for c in question.choices if c.correct)
        return lambda v: setattr(v.input.widget, "index", v.input.ids.index(right))
    if kind == "multiple":
        right_ids = {c.id for c in question.choices if c.correct}
        return lambda v: [
            setattr(b, "value", i in right_ids) for i, b in zip(v.input.ids, v.input.boxes, strict=True)
        ]
    if kind == "matching":
        key = {p.id: p.category for p in question.pairs}
        return lambda v: [
            setattr(d, "index", 1 + v.input.categories.index(key[i]))
            for i, d in zip(v.input.ids, v.input.dropdowns, strict=True)
        ]
    if kind == "ordering":

        def order(v: QuestionView) -> None:
            for position, item in enumerate(question.order):
                while v.input.order[position] != item.id:
                    v.input.move(v.input.order.index(item.id), -1)

        return order
    accepted = next(c.text for c in question.choices if c.correct)
    return lambda v: setattr(v.input.widget, "value", accepted)


def test_guest_module_page_warns_and_saves_nothing(site: Path, course: Course) -> None:
    page = module_page("tong-quan")
    assert "chưa đăng nhập" in visible_html(page)


def test_retry_starts_a_new_recorded_attempt(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    learner_id = sign_in()
    quiz, _ = open_module(monkeypatch, learner_id)
    first_attempt = quiz.attempt.attempt_id
    while quiz.current is not None:
        view = answer_current(quiz)
        while not view.settled:
            view.submit.click()
        quiz.next_button.click()
    assert quiz.retry_button in quiz.children
    quiz.retry_button.click()
    assert quiz.attempt.attempt_id != first_attempt and quiz.current is not None
    answer_current(quiz)
    attempts = {a.attempt_id for a in open_store().answers(learner_id)}
    assert attempts == {first_attempt, quiz.attempt.attempt_id}
