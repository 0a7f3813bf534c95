"""Driving the views from Python, as a learner would in the browser."""

from __future__ import annotations

import comm
import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances as live_widgets

from widgets.content.markdown import render_markdown
from widgets.content.model import Course, QuizPolicy
from widgets.engine.quiz import QuizAttempt
from widgets.render.fragments import environment
from widgets.views.question import QuestionView
from widgets.views.quiz import QuizView
from widgets.views.scenario import ScenarioView

from .state import visible_html, widget_tree


def question_view(course: Course, question_id: str, tries: int | None = 2) -> QuestionView:
    question = course.question(question_id)
    return QuestionView(
        question, QuizAttempt("m", (question,), QuizPolicy(tries=tries), seed=3), course.directive
    )


def pick(view: QuestionView, choice_id: str) -> None:
    view.input.widget.index = view.input.ids.index(choice_id)


def shown(box: w.HTML) -> bool:
    return box.layout.display != "none" and bool(box.value)


def test_classes_external_tests_rely_on(course: Course) -> None:
    view = question_view(course, "q-ban-hanh")
    assert {"nk-question", "nk-q-q-ban-hanh"} <= set(view._dom_classes)
    assert "nk-submit" in view.submit._dom_classes and "nk-feedback" in view.feedback._dom_classes


def test_wrong_then_right(course: Course) -> None:
    view = question_view(course, "q-ban-hanh")
    pick(view, "b")
    view.submit.click()
    assert "nk-incorrect" in view.feedback._dom_classes
    assert "Chưa đúng" in view.feedback.value and "Còn 1 lượt thử" in view.feedback.value
    assert not shown(view.citation) and "nk-citation" not in view.citation._dom_classes
    pick(view, "a")
    view.submit.click()
    assert "nk-correct" in view.feedback._dom_classes and "nk-incorrect" not in view.feedback._dom_classes
    assert shown(view.citation) and "nk-citation" in view.citation._dom_classes
    assert "officials.1" not in view.citation.value and 'data-clause="doc"' in view.citation.value
    assert "Công văn số 1/MAU của Ủy ban nhân dân tỉnh Mẫu." in view.citation.value
    assert view.submit.disabled and view.input.widget.disabled


def test_settling_fills_in_widgets_made_with_the_question(course: Course) -> None:
    view = question_view(course, "q-ban-hanh", tries=1)
    made = set(live_widgets)  # ipywidgets' registry of open widgets (Widget.widgets is deprecated)
    pick(view, "b")
    view.submit.click()
    assert view.settled and shown(view.explanation) and shown(view.citation)
    assert set(live_widgets) == made  # nothing new for the browser to build after the verdict


def test_a_wrong_try_loads_and_renders_nothing_the_question_could_prepare(course: Course) -> None:
    render_markdown.cache_clear()
    templates = environment().cache
    assert templates is not None
    templates.clear()
    view = question_view(course, "q-ban-hanh")
    before, loaded = render_markdown.cache_info(), set(templates.keys())
    pick(view, "b")
    view.submit.click()
    assert "Chưa đúng" in view.feedback.value and not view.settled
    after = render_markdown.cache_info()
    assert after.misses == before.misses and after.hits > before.hits  # the answer's feedback
    assert set(templates.keys()) == loaded  # the feedback template


def test_answer_is_saved_before_its_solution_is_shown(course: Course) -> None:
    view = question_view(course, "q-ban-hanh", tries=1)
    seen: list[tuple[str, bool, bool]] = []

    def save(*_: object) -> None:
        seen.append((view.feedback.value, shown(view.explanation), view.submit.disabled))

    view.on_checked(save)
    pick(view, "b")
    view.submit.click()
    [(feedback, explained, locked)] = seen
    assert "Chưa đúng" in feedback and not explained and not locked
    assert shown(view.explanation) and view.submit.disabled


def test_question_locks_even_if_saving_fails(course: Course) -> None:
    view = question_view(course, "q-ban-hanh", tries=1)

    def fail(question: object, outcome: object) -> None:
        raise OSError("disk full")

    view.on_checked(fail)
    pick(view, "b")
    with pytest.raises(OSError):
        view.check()
    assert view.submit.disabled and shown(view.explanation)


def test_feedback_text_and_verdict_reach_the_browser_in_one_message(
    course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    # comm's own DummyComm: once anything imports ipykernel.ipkernel (tests/runtime does), new
    # widgets get ipykernel's Comm, and ipywidgets sends nothing through a Comm without a kernel.
    monkeypatch.setattr(comm, "create_comm", comm._create_comm)
    view = question_view(course, "q-ban-hanh")
    sent: list[dict] = []
    view.feedback.comm.send = lambda data=None, buffers=None, **_: sent.append(data)  # type: ignore[method-assign]
    pick(view, "b")
    view.submit.click()
    pick(view, "a")
    view.submit.click()
    updates = [message["state"] for message in sent if message.get("method") == "update"]
    assert len(updates) == 2
    assert "Chưa đúng" in updates[0]["value"] and "nk-incorrect" in updates[0]["_dom_classes"]
    assert "nk-correct" in updates[1]["_dom_classes"] and "nk-incorrect" not in updates[1]["_dom_classes"]


def test_out_of_tries_shows_solution(course: Course) -> None:
    view = question_view(course, "q-ban-hanh", tries=1)
    pick(view, "b")
    view.submit.click()
    assert "Đáp án đúng" in view.explanation.value and "Ủy ban nhân dân tỉnh Mẫu" in view.explanation.value


def test_check_without_answer_asks_for_one(course: Course) -> None:
    view = question_view(course, "q-ban-hanh")
    assert view.check() is None
    assert "chưa trả lời" in view.feedback.value
    assert not view.attempt.is_settled("q-ban-hanh")


@pytest.mark.parametrize("typed", ["", "   ", "<script>alert(1)</script>", "x" * 10_000])
def test_odd_text_answers_are_safe(course: Course, typed: str) -> None:
    view = question_view(course, "q-ngan")
    view.input.widget.value = typed
    view.submit.click()
    assert "<script>" not in visible_html(view)


def test_each_type_can_be_answered_right(course: Course) -> None:
    answers = {
        "q-nhieu": lambda v: [
            setattr(b, "value", i in {"a", "b"}) for i, b in zip(v.input.ids, v.input.boxes, strict=True)
        ],
        "q-ghep": lambda v: [
            setattr(d, "index", 1 + v.input.categories.index({"p1": "Được yêu cầu", "p2": "Bị cấm"}[i]))
            for i, d in zip(v.input.ids, v.input.dropdowns, strict=True)
        ],
        "q-thu-tu": lambda v: _sort_ordering(v),
        "q-ngan": lambda v: setattr(v.input.widget, "value", "ubnd tinh mau"),
        "q-ruou": lambda v: pick(v, "b"),
    }
    for question_id, answer in answers.items():
        view = question_view(course, question_id)
        answer(view)
        view.submit.click()
        assert "nk-correct" in view.feedback._dom_classes, question_id


def _sort_ordering(view: QuestionView) -> None:
    target = ["o1", "o2", "o3"]
    for position, item in enumerate(target):
        while view.input.order[position] != item:
            current = view.input.order.index(item)
            up_button = view.input.widget.children[current].children[0]
            up_button.click()


def test_quiz_steps_and_summary(course: Course) -> None:
    module = course.module("tong-quan")
    attempt = QuizAttempt("tong-quan", module.questions[:2], QuizPolicy(tries=1, shuffle=False), seed=1)
    quiz = QuizView(attempt, course.directive)
    saved: list[str] = []
    results = []
    quiz.on_checked(lambda question, outcome: saved.append(question.id))
    quiz.on_finished(results.append)
    assert quiz.next_button.layout.display == "none"
    first = quiz.current
    assert first is not None
    pick(first, "a")
    first.submit.click()
    quiz.next_button.click()
    second = quiz.current
    assert second is not None and second.question.id == "q-ruou"
    pick(second, "a")
    second.submit.click()
    quiz.next_button.click()
    assert saved == ["q-ban-hanh", "q-ruou"]
    assert results[0].score == 1.0 and not results[0].passed
    assert "nk-failed" in quiz.summary._dom_classes and "officials.1" in quiz.summary.value


def test_scenario_walk_to_the_end(course: Course) -> None:
    view = ScenarioView(course.scenarios[0], course.directive)
    steps = []
    view.on_step(lambda step, result: steps.append((step, result)))
    view.choice_buttons[1].click()
    buttons = view.choice_buttons
    assert [i for i, b in enumerate(buttons) if "nk-picked" in b._dom_classes] == [1]  # stays marked
    assert all(b.disabled for b in buttons)
    outcome = next(c for c in view.children if "nk-outcome" in c._dom_classes)
    assert "nk-violation" in outcome._dom_classes and "Đến cơ quan với hơi bia" in outcome.value
    next(c for c in view.children if "nk-next" in getattr(c, "_dom_classes", ())).click()
    view.choice_buttons[0].click()
    next(c for c in view.children if "nk-next" in getattr(c, "_dom_classes", ())).click()
    end = [w for w in widget_tree(view) if "nk-scenario-end" in getattr(w, "_dom_classes", ())]
    assert end and "Điểm tình huống: 2/4" in end[0].value
    assert [s.rating.value for s, _ in steps] == ["violation", "best"] and steps[-1][1].finished
