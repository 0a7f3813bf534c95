"""The real course in content/: valid, complete (issue 4's quantities) and typographically clean.

Everything is asserted on the parsed course, not by counting text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from widgets.cli import main
from widgets.content.course import check_course, default_content_dir, load_course
from widgets.content.coverage import clause_coverage, course_figures
from widgets.content.model import Course, ModuleKind, QuestionType

CONTENT = default_content_dir()
SOURCE_CLAUSES = Path(__file__).resolve().parents[2] / "content" / "source" / "clauses.md"
"""The directive split into clauses, vendored from the article (see content/source/README.md)."""
LESSON_MODULES = 7
GLOSSARY_TERMS = (  # the terms issue 4 names
    "cán bộ",
    "công chức",
    "viên chức",
    "người đứng đầu",
    "cấp phó",
    "nêu gương",
    "kỷ luật",
    "kỷ cương hành chính",
    "văn hóa công sở",
)
FAQ_EXAMPLES = ("Trưa có được uống một cốc bia không?", "Ai phải nêu gương trước?")
SON_LA_PLACES = (  # the province and its districts
    "Sơn La",
    "Quỳnh Nhai",
    "Thuận Châu",
    "Mường La",
    "Bắc Yên",
    "Phù Yên",
    "Mộc Châu",
    "Vân Hồ",
    "Yên Châu",
    "Mai Sơn",
    "Sông Mã",
    "Sốp Cộp",
)
WORKPLACES = ("Sở ", "UBND", "trường", "Trạm Y tế", "doanh nghiệp Nhà nước")
"""A sở, a UBND huyện or xã (and its offices), a public service unit, a state enterprise."""


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
    figures = course_figures(real_course)
    assert figures["questions"] == len(real_course.questions) >= 50
    assert len(figures["question_types"]) >= 5
    assert {"ordering", "matching", "short"} <= set(figures["question_types"])


def test_scenario_cases(real_course: Course) -> None:
    figures = course_figures(real_course)
    assert figures["scenarios"] == len(real_course.scenarios) >= 12
    short = {sid: d for sid, d in figures["decisions"].items() if d["shortest_path"] < 2}
    assert short == {}


def test_scenarios_are_set_in_a_son_la_workplace(real_course: Course) -> None:
    elsewhere = {
        s.id: s.setting
        for s in real_course.scenarios
        if not any(place in s.setting for place in SON_LA_PLACES)
        or not any(kind in s.setting for kind in WORKPLACES)
    }
    assert elsewhere == {}


def test_coverage_command_reports_the_quantities(
    capsys: pytest.CaptureFixture[str], real_course: Course
) -> None:
    assert main(["coverage", "--json", "--figures", str(CONTENT)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {"clauses": clause_coverage(real_course), **course_figures(real_course)}
    assert main(["coverage", "--json", str(CONTENT)]) == 0  # issue #2: keyed by clause ID alone
    assert json.loads(capsys.readouterr().out) == clause_coverage(real_course)
    assert report["questions"] >= 50 and len(report["question_types"]) >= 5 and report["scenarios"] >= 12


def test_modules_have_lesson_quiz_scenario_and_facilitator_notes(real_course: Course) -> None:
    """Every module but the final assessment, the site guide included: a practice quiz of 4–8
    questions drawn as in the other modules (pass mark 80 %, 2 tries, 6 drawn), a scenario."""
    lessons = [m for m in real_course.modules if m.kind is ModuleKind.LESSON]
    assert len(lessons) == LESSON_MODULES
    practised = [m for m in real_course.modules if m.kind is not ModuleKind.ASSESSMENT]
    assert len(practised) == LESSON_MODULES + 1
    for module in practised:
        drawn = module.quiz.draw or len(module.questions)
        assert 4 <= min(drawn, len(module.questions)) <= 8, module.id
        assert (module.quiz.pass_mark, module.quiz.tries, module.quiz.draw) == (80, 2, 6), module.id
        assert module.scenarios and module.instructor and module.sections, module.id
    for module in real_course.modules:
        assert module.teaching_minutes > 0 and module.exercise_minutes > 0, module.id
        assert module.instructor, module.id
    [final] = [m for m in real_course.modules if m.kind is ModuleKind.ASSESSMENT]
    assert (final.quiz.draw, final.quiz.pass_mark, final.quiz.by_clause) == (20, 80, True)
    assert real_course.modules[0].kind is ModuleKind.GUIDE


def test_the_guide_practises_every_question_type_on_the_document_itself(real_course: Course) -> None:
    """Module 1's "Thử làm": one question of each type, each with a hint on how to answer it,
    about the document's basic facts only (doc, doc.to, doc.ask), and a short case on them."""
    guide = real_course.modules[0]
    basics = {"doc", "doc.to", "doc.ask"}
    assert sorted(q.type.value for q in guide.questions) == sorted(t.value for t in QuestionType)
    for question in guide.questions:
        assert question.hint and question.explanation and set(question.cites) <= basics, question.id
    assert set(guide.clauses) == basics
    for scenario in guide.scenarios:
        assert all(set(node.cites) <= basics for node in scenario.nodes), scenario.id
        cited = {c for node in scenario.nodes for action in node.actions for c in action.cites}
        assert cited <= basics, scenario.id
    figures = course_figures(real_course)
    assert all(figures["decisions"][s.id]["shortest_path"] >= 2 for s in guide.scenarios)


def test_each_lesson_quotes_its_clauses_explains_them_and_gives_an_example(real_course: Course) -> None:
    """What the clause says (quoted exactly), what it means in daily work, an example."""
    for module in real_course.modules:
        if module.kind is not ModuleKind.LESSON:
            continue
        for clause_id in module.clauses:
            text = real_course.directive.clause(clause_id).text
            [section] = [s for s in module.sections if f"\n> {text}\n" in f"\n{s.body}\n"]
            assert clause_id in section.cites, (module.id, clause_id)
            assert "Ý nghĩa trong công việc hằng ngày" in section.body, (module.id, clause_id)
            assert "**Ví dụ.**" in section.body, (module.id, clause_id)


def test_facilitator_notes_have_timing_discussion_questions_and_misconceptions(real_course: Course) -> None:
    for module in real_course.modules:
        notes = "\n".join(block.body for block in module.instructor)
        assert "**Thời lượng:**" in notes, module.id
        discussion = notes.split("**Câu hỏi thảo luận", 1)[1].split("**Hiểu lầm thường gặp:**", 1)
        questions = re.findall(r"^\d+\. .+\?$", discussion[0], re.MULTILINE)
        assert 2 <= len(questions) <= 3, module.id
        assert re.search(r"^- .+", discussion[1], re.MULTILINE), module.id


def test_wrong_answers_say_why_citing_a_clause(real_course: Course) -> None:
    cited = re.compile(r"`(?:{})`".format("|".join(map(re.escape, real_course.directive.clause_ids))))
    unexplained = [
        (question.id, choice.text)
        for question in real_course.questions
        for choice in question.choices
        if not choice.correct
        and not (choice.feedback.startswith("Chưa đúng.") and cited.search(choice.feedback))
    ]
    assert unexplained == []


def test_glossary_and_faq(real_course: Course) -> None:
    terms = {term.name for term in real_course.glossary}
    assert set(GLOSSARY_TERMS) <= terms
    assert all(term.cites for term in real_course.glossary)
    questions = [faq.question for faq in real_course.faq]
    assert len(questions) >= 15 and set(FAQ_EXAMPLES) <= set(questions)
    assert all(faq.cites and faq.answer for faq in real_course.faq)


def test_every_clause_of_the_source_and_no_other(real_course: Course) -> None:
    """content/directive.md holds exactly the clause IDs of content/source/clauses.md."""
    source = SOURCE_CLAUSES
    ids = set(re.findall(r"`([a-z]+(?:\.[a-z0-9]+)?)`", source.read_text(encoding="utf-8")))
    assert len(ids) == 14
    assert set(real_course.directive.clause_ids) == ids
    assert all(c.label and c.text for c in real_course.directive.clauses)


def test_clauses_are_quoted_exactly_from_the_source(real_course: Course) -> None:
    source = SOURCE_CLAUSES
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
    allowed_dates |= {"01/3/2025", "01/7/2025"}  # issue 18: the 2025 reorganisation (context, not the source)
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
    # the source writes tone marks the new way ("Ủy", "hóa"); the old way ("Uỷ", "hoá") mixes styles
    assert not OLD_STYLE_TONE.findall(text)


OLD_STYLE_TONE = re.compile(r"(?<![qQ])[oOuU](?:[àáảãạ]|[èéẻẽẹ]|[ỳýỷỹỵ])(?![^\W\d_])")
