"""The barrier flushes an answer's updates while the learner reads (``widgets.runtime.sync``):
a press that comes after the flush is graded at once; one that comes earlier, or after an
update the flush has not covered, still waits for a round trip through the browser."""

from __future__ import annotations

from widgets.content.model import Course
from widgets.runtime.sync import FrontEndBarrier
from widgets.views.question import QuestionView

from .browser_side import browser_answers, browser_sends, connected_barrier, question_view


def graded(view: QuestionView) -> bool:
    return "nk-correct" in view.feedback._dom_classes or "nk-incorrect" in view.feedback._dom_classes


def test_a_press_after_the_flush_is_graded_at_once(course: Course) -> None:
    barrier = connected_barrier()
    view = question_view(course, "q-ngan", barrier)
    browser_sends(view.input.widget, value="UBND tỉnh Mẫu")
    assert barrier.in_flight  # the update started a ping at once
    browser_answers(barrier)  # its pong: a later message, whose handler pings again
    assert barrier.in_flight
    browser_answers(barrier)  # that pong covers the update
    assert not barrier.in_flight
    pings = barrier.ping.value
    view.submit.click()
    assert "nk-correct" in view.feedback._dom_classes  # no round trip on the press
    assert barrier.ping.value == pings and not barrier.waiting


def test_the_ping_sent_while_an_update_is_handled_covers_nothing(course: Course) -> None:
    """That ping leaves before the update's idle reply, so the browser may answer it while it
    still holds later keystrokes: its pong alone must not let a press through."""
    barrier = connected_barrier()
    view = question_view(course, "q-ngan", barrier)
    browser_sends(view.input.widget, value="UBND")
    browser_answers(barrier)  # the first pong only
    view.submit.click()
    assert not graded(view) and barrier.waiting
    browser_sends(view.input.widget, value="UBND tỉnh Mẫu")  # what the browser held back
    browser_answers(barrier)
    assert "nk-correct" in view.feedback._dom_classes


def test_an_update_after_the_covering_ping_is_flushed_again(course: Course) -> None:
    barrier = connected_barrier()
    view = question_view(course, "q-ngan", barrier)
    browser_sends(view.input.widget, value="UBND")
    browser_answers(barrier)  # → the covering ping is out
    browser_sends(view.input.widget, value="UBND tỉnh")  # arrives before its pong
    browser_answers(barrier)  # covers the first update only: another ping goes out
    assert barrier.in_flight
    view.submit.click()
    assert not graded(view) and barrier.waiting
    browser_sends(view.input.widget, value="UBND tỉnh Mẫu")
    browser_answers(barrier)
    assert "nk-correct" in view.feedback._dom_classes


def test_inputs_not_watched_always_wait_for_a_round_trip() -> None:
    barrier = connected_barrier()
    calls: list[str] = []
    barrier.then(lambda: calls.append("run"))
    assert calls == [] and barrier.waiting
    browser_answers(barrier)
    assert calls == ["run"]


def test_changes_made_by_the_kernel_are_not_counted(course: Course) -> None:
    barrier = connected_barrier()
    view = question_view(course, "q-ngan", barrier)
    view.input.widget.value = "UBND tỉnh Mẫu"  # set in Python (a resumed answer), not by the browser
    assert not barrier.in_flight
    view.submit.click()
    assert "nk-correct" in view.feedback._dom_classes


def test_no_background_pings_without_a_browser(course: Course) -> None:
    barrier = FrontEndBarrier()
    view = question_view(course, "q-ngan", barrier)
    pings = barrier.ping.value
    browser_sends(view.input.widget, value="UBND tỉnh Mẫu")
    assert barrier.ping.value == pings
    view.submit.click()
    assert "nk-correct" in view.feedback._dom_classes
