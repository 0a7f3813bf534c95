"""The answer key never reaches the browser: nothing synced depends on which answer is right."""

from __future__ import annotations

import dataclasses
import itertools
import string
from collections import Counter

import ipywidgets as w
import pytest

from widgets.content.model import Choice, Course, MatchPair, Question, QuizPolicy, Scenario
from widgets.engine.quiz import QuizAttempt
from widgets.views.question import QuestionView
from widgets.views.scenario import ScenarioView

from .state import synced_state, widget_tree

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


ALL_TYPES = ["q-ban-hanh", "q-ruou", "q-nhieu", "q-ghep", "q-thu-tu", "q-ngan"]


def reauthored(question: Question, permutation: tuple[int, ...]) -> Question:
    """The question as an author who wrote its options in another order would get it: the
    parser numbers options by position, so the IDs follow the new order."""
    if question.pairs:
        pairs = [question.pairs[i] for i in permutation]
        return dataclasses.replace(
            question, pairs=tuple(dataclasses.replace(p, id=f"p{n + 1}") for n, p in enumerate(pairs))
        )
    if question.order:
        items = [question.order[i] for i in permutation]
        return dataclasses.replace(
            question, order=tuple(dataclasses.replace(c, id=f"o{n + 1}") for n, c in enumerate(items))
        )
    choices = [question.choices[i] for i in permutation]
    return dataclasses.replace(
        question,
        choices=tuple(dataclasses.replace(c, id=string.ascii_lowercase[n]) for n, c in enumerate(choices)),
    )


def shown_items(view: QuestionView) -> tuple[str, ...]:
    """An ordering question's items in the order the browser shows them (labels "1. …")."""
    labels = [leaf.value for leaf in widget_tree(view.input.widget) if isinstance(leaf, w.Label)]
    return tuple(label.split(". ", 1)[1] for label in sorted(labels))


@pytest.mark.parametrize("question_id", ["q-ban-hanh", "q-ruou", "q-nhieu", "q-ghep", "q-ngan"])
def test_authored_order_of_options_is_not_shown(course: Course, question_id: str) -> None:
    """Writing the right option first (as authors tend to) changes nothing the browser gets:
    options are shuffled from an order by text, so a learner who replays the seeded shuffle
    learns nothing about the key."""
    question = course.question(question_id)
    size = len(question.pairs or question.choices)
    states = {
        synced_state(view_of(course, reauthored(question, perm)))
        for perm in itertools.permutations(range(size))
    }
    assert len(states) == 1


def test_ordering_display_never_follows_the_authored_order(course: Course) -> None:
    """Every authored order of the items shows the same list, except the one order that list
    would solve: that one is shown rotated (an ordering question is never shown solved)."""
    question = course.question("q-thu-tu")
    displays: dict[tuple[str, ...], tuple[str, ...]] = {}
    for perm in itertools.permutations(range(len(question.order))):
        authored = reauthored(question, perm)
        key = tuple(item.text for item in authored.order)
        displays[key] = shown_items(view_of(course, authored))
        assert displays[key] != key, perm
    counts = Counter(displays.values())
    usual = max(counts, key=counts.__getitem__)
    assert counts[usual] == len(displays) - 1
    assert [key for key, shown in displays.items() if shown != usual] == [usual]


@pytest.mark.parametrize("question_id", ALL_TYPES)
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


def buttons(scenario: Scenario, course: Course, seed: int | str) -> list[str]:
    return [b.description for b in ScenarioView(scenario, course.directive, seed=seed).choice_buttons]


def test_scenario_action_order_does_not_follow_the_ratings(course: Course) -> None:
    """The fixture's authors wrote the best action first, as the real course's do: the buttons
    come in an order by text, shuffled per learner, whatever order the actions were written in."""
    scenario: Scenario = course.scenarios[0]
    node = scenario.node(scenario.start)
    flipped = dataclasses.replace(
        node,
        actions=tuple(dataclasses.replace(a, id=f"a{n + 1}") for n, a in enumerate(reversed(node.actions))),
    )
    rewritten = dataclasses.replace(
        scenario, nodes=tuple(flipped if n.id == node.id else n for n in scenario.nodes)
    )
    for seed in range(10):
        assert buttons(scenario, course, seed) == buttons(rewritten, course, seed)
    best = next(a.text for a in node.actions if a.rating.value == "best")
    places = {buttons(scenario, course, f"learner-{i}").index(best) for i in range(20)}
    assert places == set(range(len(node.actions)))


def test_a_shuffled_button_plays_its_own_action(course: Course) -> None:
    scenario: Scenario = course.scenarios[0]
    for seed in range(6):
        view = ScenarioView(scenario, course.directive, seed=seed)
        for action in scenario.node(scenario.start).actions:
            view.restart()
            [button] = [b for b in view.choice_buttons if b.description == action.text]
            button.click()
            assert view.steps[-1].action_id == action.id
            outcome = next(c for c in view.children if "nk-outcome" in c._dom_classes)
            assert f"nk-{action.rating.value}" in outcome._dom_classes
            assert action.consequence in outcome.value
