"""The real course in content/: valid, complete (issue 4's quantities) and typographically clean.

Everything is asserted on the parsed course, not by counting text.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from widgets.content.course import check_course, default_content_dir, load_course
from widgets.content.coverage import clause_coverage
from widgets.content.model import Course, ModuleKind, QuestionType, Scenario

CONTENT = default_content_dir()
LESSON_MODULES = 7


@pytest.fixture(scope="module")
def real_course() -> Course:
    return load_course(CONTENT)


def test_content_is_valid() -> None:
    assert [str(p) for p in check_course(CONTENT)] == []


def test_every_clause_is_taught_asked_and_acted_out(real_course: Course) -> None:
    coverage = clause_coverage(real_course)
    assert set(coverage) == set(real_course.directive.clause_ids)
    thin = {
        cid: c for cid, c in coverage.items() if c["lessons"] < 1 or c["questions"] < 4 or c["scenarios"] < 1
    }
    assert thin == {}


def test_question_bank_size_and_variety(real_course: Course) -> None:
    questions = real_course.questions
    assert len(questions) >= 50
    assert len({q.type for q in questions}) >= 5
    assert {QuestionType.ORDERING, QuestionType.MATCHING, QuestionType.SHORT} <= {q.type for q in questions}


def _decisions_on_shortest_path(scenario: Scenario) -> int:
    """The fewest decisions a learner can make from start to an end node."""
    frontier, depth, seen = {scenario.start}, 0, set()
    while frontier:
        if any(scenario.node(n).is_end for n in frontier):
            return depth
        seen |= frontier
        frontier = {a.next for n in frontier for a in scenario.node(n).actions} - seen
        depth += 1
    return 0


def test_scenario_cases(real_course: Course) -> None:
    scenarios = real_course.scenarios
    assert len(scenarios) >= 12
    short = {s.id: _decisions_on_shortest_path(s) for s in scenarios if _decisions_on_shortest_path(s) < 2}
    assert short == {}
    assert all(s.setting for s in scenarios)


def test_modules_have_lesson_quiz_scenario_and_facilitator_notes(real_course: Course) -> None:
    lessons = [m for m in real_course.modules if m.kind is ModuleKind.LESSON]
    assert len(lessons) == LESSON_MODULES
    for module in lessons:
        drawn = module.quiz.draw or len(module.questions)
        assert 4 <= min(drawn, len(module.questions)) <= 8, module.id
        assert module.quiz.pass_mark == 80, module.id
        assert module.scenarios and module.instructor and module.sections, module.id
        assert module.teaching_minutes > 0 and module.exercise_minutes > 0, module.id
    [final] = [m for m in real_course.modules if m.kind is ModuleKind.ASSESSMENT]
    assert (final.quiz.draw, final.quiz.pass_mark, final.quiz.by_clause) == (20, 80, True)
    assert real_course.modules[0].kind is ModuleKind.GUIDE


def test_clauses_are_quoted_exactly_from_the_source(real_course: Course) -> None:
    source = Path(__file__).resolve().parents[3] / "shared" / "source" / "clauses.md"
    if not source.is_file():
        pytest.skip("../shared/source/clauses.md is not beside the checkout")
    # clauses.md keeps the article's misprint "vả" and asks for "và" in its place
    text = " ".join(source.read_text(encoding="utf-8").split()).replace(" vả ", " và ")
    for clause in real_course.directive.clauses:
        if clause.id != "doc":  # doc is composed from the document's fields, not quoted
            assert " ".join(clause.text.split()) in text, clause.id
    assert "rõ kết quả và rõ trách nhiệm" in real_course.directive.clause("officials.2").text


def _statements(course: Course) -> list[str]:
    """Everything the course asserts as true (wrong choices, which may be wrong on purpose, excluded)."""
    texts = [c.text for c in course.directive.clauses]
    for module in course.modules:
        texts += [s.body for s in module.sections]
        for question in module.questions:
            texts += [question.explanation, *(c.text for c in question.choices if c.correct)]
            texts += [f"{p.item} {p.category}" for p in question.pairs] + [i.text for i in question.order]
        for scenario in module.scenarios:
            texts += [a.rationale for n in scenario.nodes for a in n.actions]
    texts += [f.answer for f in course.faq] + [t.definition for t in course.glossary]
    return texts


def test_only_the_source_dates_and_decisions_are_stated(real_course: Course) -> None:
    allowed_dates = {"17/3/2022", "28/5/2021", "26/04/2022", "26/4/2022"}
    allowed_numbers = {"349-QĐ/TU", "889-QĐ/TU", "1273/UBND-NV"}
    text = "\n".join(_statements(real_course))
    assert set(re.findall(r"\b\d{1,2}/\d{1,2}/\d{4}\b", text)) <= allowed_dates
    assert set(re.findall(r"\b\d+[-/][A-ZĐ]+(?:[-/][A-ZĐ]+)*\b", text)) <= allowed_numbers


@pytest.mark.parametrize(
    "path", sorted(p for p in CONTENT.rglob("*") if p.suffix in {".md", ".yml"}), ids=lambda p: p.name
)
def test_text_is_nfc_without_common_mistakes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert not any(unicodedata.combining(ch) for ch in text), "stray combining mark"
    assert "rõ kết quả vả" not in text and "kết quả vả rõ" not in text
