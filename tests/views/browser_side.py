"""What the browser does to a barrier and its inputs, played from Python (no browser needed)."""

from __future__ import annotations

import ipywidgets as w

from widgets.content.model import Course, QuizPolicy
from widgets.engine.quiz import QuizAttempt
from widgets.runtime.sync import FrontEndBarrier
from widgets.views.question import QuestionView


def question_view(course: Course, question_id: str, barrier: FrontEndBarrier) -> QuestionView:
    question = course.question(question_id)
    attempt = QuizAttempt("m", (question,), QuizPolicy(tries=None, shuffle=False), seed=1)
    return QuestionView(question, attempt, course.directive, barrier=barrier)


def connected_barrier() -> FrontEndBarrier:
    """A barrier whose browser has answered once (what the page's jsdlink does on load)."""
    barrier = FrontEndBarrier()
    barrier.pong.value = barrier.ping.value
    assert barrier.connected
    return barrier


def browser_answers(barrier: FrontEndBarrier) -> None:
    """What the browser's jsdlink does: copy ``ping`` to ``pong`` and send it back."""
    barrier.pong.value = barrier.ping.value


def browser_sends(widget: w.Widget, **state: object) -> None:
    """A state update from the browser, as the kernel's comm receives it."""
    widget.comm.handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})
