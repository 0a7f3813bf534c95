"""UI strings come from the catalogues (widgets/i18n/vi.yml, en.yml), never from widget code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from widgets.content.model import Course, QuizPolicy
from widgets.engine.quiz import QuizAttempt
from widgets.i18n import catalogue
from widgets.views.question import QuestionView
from widgets.views.quiz import QuizView
from widgets.views.scenario import ScenarioView

from .state import visible_html

VIEWS = Path(__file__).resolve().parents[2] / "widgets" / "views"
TEMPLATES = Path(__file__).resolve().parents[2] / "widgets" / "render" / "templates"
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE
)


def _docstrings(tree: ast.AST) -> set[int]:
    """IDs of the string constants that stand alone as statements (docstrings, attribute notes)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


@pytest.mark.parametrize("path", sorted(VIEWS.rglob("*.py")), ids=lambda p: str(p.relative_to(VIEWS)))
def test_no_vietnamese_string_in_view_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    notes = _docstrings(tree)
    found = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in notes
        and VIETNAMESE.search(node.value)
    ]
    assert found == []


@pytest.mark.parametrize("path", sorted(TEMPLATES.glob("*.j2")), ids=lambda p: p.name)
def test_no_vietnamese_text_in_templates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    literal = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.DOTALL)
    assert not VIETNAMESE.search(literal), literal


def test_the_scanner_sees_a_hard_coded_string() -> None:
    tree = ast.parse('"""Tài liệu."""\nlabel = "Kiểm tra"\n')
    notes = _docstrings(tree)
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in notes]
    assert [s for s in strings if VIETNAMESE.search(s)] == ["Kiểm tra"]


def test_english_catalogue_drives_the_quiz_and_scenario(
    course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEUGUONG_LANG", "en")
    en = catalogue("en")
    question = course.question("q-ban-hanh")
    attempt = QuizAttempt("m", (question,), QuizPolicy(tries=1, shuffle=False), seed=1)
    quiz = QuizView(attempt, course.directive)
    view = quiz.current
    assert view is not None and view.submit.description == en["quiz.check"] == "Check"
    assert quiz.next_button.description == en["quiz.finish"]
    view.input.widget.index = view.input.ids.index("b")
    view.submit.click()
    assert en["quiz.incorrect"] in view.feedback.value and en["quiz.solution"] in view.explanation.value
    scenario = ScenarioView(course.scenarios[0], course.directive)
    scenario.choice_buttons[0].click()
    assert en["scenario.choose"] in visible_html(scenario)
    assert any(getattr(c, "description", "") == en["scenario.continue"] for c in scenario.children)
    assert "Kiểm tra" not in visible_html(quiz) + view.submit.description


def test_vietnamese_is_the_default(course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEUGUONG_LANG", raising=False)
    question = course.question("q-ban-hanh")
    view = QuestionView(question, QuizAttempt("m", (question,), QuizPolicy(), seed=1), course.directive)
    assert view.submit.description == catalogue("vi")["quiz.check"] == "Kiểm tra"
