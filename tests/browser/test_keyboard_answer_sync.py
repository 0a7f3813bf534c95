"""A busy kernel does not grade half an answer (issue #3, keyboard operation).

Jupyter Widgets holds back a widget's later updates while its first one awaits the kernel,
but sends a button press at once. On a busy kernel a learner who types an answer, Tabs to
"Kiểm tra" and presses Enter had the press overtake the last keystrokes and was graded on the
first ones (this is why a keyboard-only test once failed under load). The page here makes the
kernel busy on purpose — each keystroke that reaches it takes half a second to handle, like a
kiosk server under load — so the overtaking happens on every run; the test only waits for the
verdict the learner sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import nbformat
import pytest

from widgets.content.course import load_course
from widgets.content.markdown import plain_text
from widgets.content.model import QuestionType

from driving import tab_to

PAGE = """\
import time

from widgets.content.course import load_course
from widgets.content.markdown import plain_text
from widgets.content.model import QuestionType, QuizPolicy
from widgets.engine.quiz import QuizAttempt
from widgets.views.question import QuestionView

course = load_course()
question = next(q for q in course.questions if q.type is QuestionType.{kind})
attempt = QuizAttempt("m", (question,), QuizPolicy(tries=None, shuffle=False), seed=1)
view = QuestionView(question, attempt, course.directive)
controls = [view.input.widget]
while controls:
    control = controls.pop()
    controls += getattr(control, "children", ())
    control.observe(lambda change: time.sleep(0.5), names=["value", "index"])  # a busy kernel
view
"""


@pytest.fixture(scope="module")
def busy_site(start_voila: Callable[..., Any], browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("busy-kernel")
    for kind in ("SHORT", "MATCHING"):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PAGE.format(kind=kind))])
        notebook.metadata["title"] = kind
        nbformat.write(notebook, root / f"{kind.lower()}.ipynb")
    return start_voila("learner", root_dir=root, env={"NEUGUONG_PREHEAT": "0"})


def test_typed_answer_then_enter_is_graded_on_what_was_typed(
    busy_site: Any, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    question = next(q for q in load_course().questions if q.type is QuestionType.SHORT)
    page.goto(busy_site.render_url("short.ipynb"))
    wait_for_voila(page)
    box = page.locator(".nk-question")
    tab_to(box, "input[type=text]")
    page.keyboard.type(next(c.text for c in question.choices if c.correct))
    tab_to(box, ".nk-submit")
    page.keyboard.press("Enter")
    box.locator(".nk-feedback.nk-correct, .nk-feedback.nk-incorrect").wait_for(timeout=60_000)
    assert "nk-correct" in (box.locator(".nk-feedback").get_attribute("class") or "")


def test_arrow_keys_in_dropdowns_then_enter_are_graded_on_the_last_choice(
    busy_site: Any, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    question = next(q for q in load_course().questions if q.type is QuestionType.MATCHING)
    page.goto(busy_site.render_url("matching.ipynb"))
    wait_for_voila(page)
    box = page.locator(".nk-question")
    rows = box.locator(".nk-matching > .widget-hbox")
    for index in range(rows.count()):
        item = rows.nth(index).locator(".nk-match-item").inner_text().strip()
        category = next(p.category for p in question.pairs if plain_text(p.item) == item)
        select = rows.nth(index).locator("select")
        tab_to(box, f".nk-matching > .widget-hbox:nth-child({index + 1}) select")
        for _ in range(len(question.categories) + 1):
            if select.evaluate("el => el.value") == category:
                break
            page.keyboard.press("ArrowDown")
    tab_to(box, ".nk-submit")
    page.keyboard.press("Enter")
    box.locator(".nk-feedback.nk-correct, .nk-feedback.nk-incorrect").wait_for(timeout=60_000)
    assert "nk-correct" in (box.locator(".nk-feedback").get_attribute("class") or "")
