"""Keyboard and screen-reader support in the answer inputs (issue #3):
"Kiểm tra" grades the answer the browser still held back, each matching dropdown and each
ordering button has a name tied to its item, and the focus follows a moved item."""

from __future__ import annotations

import ipywidgets as w

from widgets.content.model import Course
from widgets.i18n import t
from widgets.runtime.sync import FrontEndBarrier
from widgets.views.answers import MatchInput, OrderInput

from .browser_side import browser_answers, browser_sends, connected_barrier, question_view


def test_check_waits_for_what_the_browser_held_back(course: Course) -> None:
    """A learner types the answer and presses Enter on "Kiểm tra"; the press reaches the kernel
    before the last keystrokes (the browser held them back). The grade is on what was typed."""
    barrier = connected_barrier()
    view = question_view(course, "q-ngan", barrier)
    checks: list[object] = []
    view.on_checked(lambda question, outcome: checks.append(outcome))
    browser_sends(view.input.widget, value="UBND")  # the first keystrokes, sent at once
    view.submit.click()  # the press overtakes the rest
    assert view.feedback.value == "" and barrier.waiting  # nothing graded yet
    view.submit.click()  # pressing again while waiting spends no try
    browser_sends(view.input.widget, value="UBND tỉnh Mẫu")  # the held-back update arrives
    browser_answers(barrier)  # then the round trip the press started
    assert "nk-correct" in view.feedback._dom_classes
    assert not barrier.waiting
    [outcome] = checks  # one check, one try
    assert outcome.answer.response == "UBND tỉnh Mẫu" and outcome.tries_used == 1


def test_matching_arrow_keys_then_check(course: Course) -> None:
    barrier = connected_barrier()
    view = question_view(course, "q-ghep", barrier)
    match = view.input
    assert isinstance(match, MatchInput)
    question = course.question("q-ghep")
    pairs = {p.id: p for p in question.pairs}
    for box in match.dropdowns[:-1]:
        box.index = 1 + match.categories.index(pairs[match.ids[match.dropdowns.index(box)]].category)
    last = match.dropdowns[-1]
    browser_sends(last, index=1)  # first arrow press: sent at once
    view.submit.click()
    browser_sends(last, index=1 + match.categories.index(pairs[match.ids[-1]].category))  # held back
    browser_answers(barrier)
    assert "nk-correct" in view.feedback._dom_classes


def test_without_a_browser_check_is_immediate(course: Course) -> None:
    barrier = FrontEndBarrier()  # nobody copies ping to pong: tests, nbval, a closed page
    assert not barrier.connected
    view = question_view(course, "q-ngan", barrier)
    view.input.widget.value = "UBND tỉnh Mẫu"
    view.submit.click()
    assert "nk-correct" in view.feedback._dom_classes


def test_barrier_link_is_a_browser_side_copy() -> None:
    barrier = FrontEndBarrier()
    assert isinstance(barrier.link, w.widgets.widget_link.DirectionalLink)
    assert barrier.link.source == (barrier.ping, "value") and barrier.link.target == (barrier.pong, "value")


def test_matching_dropdowns_are_named_after_their_item(course: Course) -> None:
    question = course.question("q-ghep")
    order = tuple(p.id for p in question.pairs)
    match = MatchInput(question, order)
    items = [p.item for p in question.pairs]
    assert [box.description for box in match.dropdowns] == [t("quiz.match_label", item=i) for i in items]
    assert all(box.description != items[0] for box in match.dropdowns[1:])


def test_ordering_buttons_are_named_and_the_focus_follows_the_item(course: Course) -> None:
    question = course.question("q-thu-tu")
    labels = {item.id: item.text for item in question.order}
    ids = tuple(labels)
    order = OrderInput(labels, ids)
    first_up, first_down, _ = order.rows[0]
    assert first_up.description == "" and first_up.tooltip == t("quiz.move_up", item=labels[ids[0]])
    assert first_down.tooltip == t("quiz.move_down", item=labels[ids[0]])
    assert {"nk-move", "nk-move-up"} <= set(first_up._dom_classes)

    focused: list[w.Button] = []
    for row in order.rows:
        for button in row[:2]:
            button.focus = lambda b=button: focused.append(b)  # type: ignore[method-assign]
    second_up = order.rows[1][0]
    second_up.click()  # Enter on "move up" of the second item
    assert order.order[:2] == [ids[1], ids[0]]
    assert order.rows[0][2].value == f"1. {labels[ids[1]]}"
    assert order.rows[0][0].tooltip == t("quiz.move_up", item=labels[ids[1]])
    # the moved item is now first: its "up" is disabled, so the focus goes to its "down"
    assert focused == [order.rows[0][1]]
    order.rows[0][1].click()  # and Enter again moves it back down, the focus with it
    assert order.order[:2] == [ids[0], ids[1]] and focused[-1] is order.rows[1][1]


def test_sign_in_waits_for_the_name_the_browser_held_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Typing the name then pressing "Vào học" at once: the press overtakes the last
    keystrokes; the learner is signed in under the whole name, once."""
    from widgets.records.store import open_store
    from widgets.views.signin import SignInForm

    store = open_store(f"sqlite:///{tmp_path / 'records.sqlite'}", data=tmp_path)
    barrier = connected_barrier()
    form = SignInForm(store, ("Sở Nội vụ", "Sở Tài chính"), barrier=barrier)
    signed_in: list[str] = []
    form.on_signed_in(lambda learner: signed_in.append(learner.full_name))
    form.unit.index, form.role.index = 1, 1
    form.pin.value = form.pin_confirm.value = "246810"
    form.name.value = "Lò Thị"  # the first keystrokes
    form.submit.click()
    form.submit.click()  # pressed twice while waiting
    assert signed_in == [] and barrier.waiting
    form.name.value = "Lò Thị Nga"  # the held-back keystrokes arrive
    browser_answers(barrier)
    assert signed_in == ["Lò Thị Nga"]
    unit = str(form.unit.value)
    assert len(store.find_learners(name="Lò Thị Nga", unit=unit)) == 1
    assert store.find_learners(name="Lò Thị", unit=unit) == []
