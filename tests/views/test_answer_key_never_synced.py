"""The answer key never reaches the browser: nothing synced depends on which answer is right."""

from __future__ import annotations

import dataclasses

import pytest

from widgets.content.model import Choice, Course, MatchPair, Question, QuizPolicy, Scenario
from widgets.engine.quiz import QuizAttempt
from widgets.views.question import QuestionView
from widgets.views.scenario import ScenarioView

from .state import synced_state

POLICY = QuizPolicy(tries=2)


def view_of(course: Course, question: Question) -> QuestionView:
    attempt = QuizAttempt("m", (question,), POLICY, seed=7)
    return QuestionView(question, attempt, course.directive)


def with_other_key(question: Question) -> Question:
    """The same question with the key moved to other answers (feedback kept per option)."""
    if question.choices and question.type.value != "short":
        flags = [c.correct for c in question.choices]
        rotated = flags[1:] + flags[:1]
        choices = tuple(
            dataclasses.replace(c, correct=f) for c, f in zip(question.choices, rotated, strict=True)
        )
        return dataclasses.replace(question, choices=choices)
    if question.pairs:
        categories = [p.category for p in question.pairs]
        swapped = categories[1:] + categories[:1]
        pairs = tuple(
            MatchPair(p.id, p.item, c, p.feedback) for p, c in zip(question.pairs, swapped, strict=True)
        )
        return dataclasses.replace(question, pairs=pairs)
    if question.order:
        return dataclasses.replace(question, order=tuple(reversed(question.order)))
    return dataclasses.replace(
        question,
        choices=tuple(Choice(c.id, c.text + " khác", c.correct, c.feedback) for c in question.choices),
    )


@pytest.mark.parametrize("question_id", ["q-ban-hanh", "q-ruou", "q-nhieu", "q-ghep"])
def test_state_does_not_depend_on_the_key(course: Course, question_id: str) -> None:
    question = course.question(question_id)
    assert synced_state(view_of(course, question)) == synced_state(view_of(course, with_other_key(question)))


@pytest.mark.parametrize("question_id", ["q-ban-hanh", "q-ruou", "q-nhieu", "q-ghep", "q-thu-tu", "q-ngan"])
def test_no_feedback_explanation_or_key_before_answering(course: Course, question_id: str) -> None:
    question = course.question(question_id)
    state = synced_state(view_of(course, question))
    secrets = [
        question.explanation,
        *(c.feedback for c in question.choices),
        *(p.feedback for p in question.pairs),
    ]
    if question.type.value == "short":
        secrets += [c.text for c in question.choices]
    for secret in secrets:
        assert secret not in state
    assert '"correct"' not in state and "[x]" not in state


def test_ordering_state_is_not_the_solution(course: Course) -> None:
    question = course.question("q-thu-tu")
    view = view_of(course, question)
    labels = [row.children[2].value for row in view.input.widget.children]
    assert [label.split(". ", 1)[1] for label in labels] != ["Một", "Hai", "Ba"]


def test_wrong_answer_with_tries_left_reveals_only_own_feedback(course: Course) -> None:
    question = course.question("q-ban-hanh")
    view = view_of(course, question)
    view.input.widget.index = view.input.ids.index("b")
    view.submit.click()
    state = synced_state(view)
    assert question.choices[1].feedback in state
    assert question.choices[0].feedback not in state
    assert question.explanation not in state
    assert "Ủy ban nhân dân tỉnh Mẫu" in state  # only as a label, never marked correct
    assert "nk-citation" not in state or "Công văn số 1/MAU của" not in state


def test_scenario_ratings_and_next_nodes_not_synced_before_choice(course: Course) -> None:
    scenario: Scenario = course.scenarios[0]
    view = ScenarioView(scenario, course.directive)
    state = synced_state(view)
    for action in scenario.node(scenario.start).actions:
        for secret in (action.consequence, action.rationale, action.next):
            assert secret not in state
    for word in ("best", "violation", "acceptable", "chieu"):
        assert word not in state
