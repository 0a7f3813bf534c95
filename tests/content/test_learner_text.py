"""No clause code in what learners read (issue 18): every stem, choice, feedback, explanation,
hint, lesson, interpretation box, scenario text, consequence and rationale of the real course,
rendered through the learner templates, shows clause names and never a clause ID."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from widgets.content.citations import humanise_html, visible_text
from widgets.content.course import default_content_dir, load_course
from widgets.content.markdown import render_markdown
from widgets.content.model import Course
from widgets.render.fragments import render

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def real_course() -> Course:
    return load_course(CONTENT)


@pytest.fixture(autouse=True)
def serve_the_real_course(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUGUONG_CONTENT", str(CONTENT))
    assert default_content_dir() == CONTENT


def clause_codes(html: str, course: Course) -> list[str]:
    """Clause IDs a reader of ``html`` would see (attributes are not seen)."""
    ids = "|".join(re.escape(i) for i in sorted(course.directive.clause_ids, key=len, reverse=True))
    return re.findall(rf"(?<![\w.-])({ids})(?![\w-]|\.\w)", visible_text(html))


def learner_pages(course: Course) -> Iterator[tuple[str, str]]:
    """(where, HTML) for every piece of learner-facing text, through the learner templates."""
    hrefs = {c: f"van-ban.ipynb#clause-{c}" for c in course.directive.clause_ids}
    for module in course.modules:
        yield module.id, render("lesson", sections=module.sections, clause_hrefs=hrefs)
        for question in (*module.questions, *module.quiz.pool):
            where = f"{module.id}:{question.id}"
            yield where, render("stem", position="", stem=question.stem, instruction="")
            feedback = [c.feedback for c in (*question.choices, *question.order)]
            feedback += [p.feedback for p in question.pairs]
            yield where, render("feedback", verdict="", feedback=feedback, note="")
            texts = [c.text for c in (*question.choices, *question.order)] + [p.item for p in question.pairs]
            yield where, render("explanation", solution=texts, explanation=question.explanation)
            if question.hint:
                yield where, render("hint", hint=question.hint)
            clauses = [course.directive.clause(c) for c in question.cites]
            yield where, render("citation", directive=course.directive, clauses=clauses)
        for scenario in module.scenarios:
            for node in scenario.nodes:
                where = f"{module.id}:{scenario.id}/{node.id}"
                yield where, render("scenario_node", first=True, scenario=scenario, node=node, image=None)
                for action in node.actions:
                    yield where, render("outcome", action=action)
    yield (
        "faq",
        render("faq_list", entries=[(e, None) for e in course.faq], clause_hrefs=hrefs, module_hrefs={}),
    )
    terms = [(term, f"t{n}", None) for n, term in enumerate(course.glossary)]
    yield "glossary", render("glossary", groups=[("A", terms)], clause_hrefs=hrefs, module_hrefs={})


def test_no_clause_code_in_rendered_learner_text(real_course: Course) -> None:
    seen = [
        (where, codes)
        for where, html in learner_pages(real_course)
        if (codes := clause_codes(html, real_course))
    ]
    assert seen == []


@pytest.mark.parametrize(
    "query", ["công văn", "nêu gương", "rượu bia", "5 rõ", "tiếp dân", "giám sát", "cán bộ"]
)
def test_no_clause_code_in_search_results(real_course: Course, query: str) -> None:
    from widgets.views.search import search_page

    page = search_page(real_course)
    page.box.value = query
    html = page.results.value
    assert "nk-search-hit" in html and clause_codes(html, real_course) == []
    assert clause_codes(page.faq.value, real_course) == []


def test_the_check_finds_clause_codes_when_names_are_not_applied(real_course: Course) -> None:
    """A deliberately broken rendering (Markdown without the clause-name step) is caught."""
    broken = render_markdown("Việc này trái `officials.1` (officials.5).")
    assert clause_codes(broken, real_course) == ["officials.1", "officials.5"]
    fixed = humanise_html(broken, {c.id: c.name for c in real_course.directive.clauses})
    assert clause_codes(fixed, real_course) == []
    assert "Yêu cầu (1) đối với cán bộ, công chức, viên chức" in visible_text(fixed)
    assert 'data-clause="officials.5"' in fixed


def test_citations_name_clauses_as_officials_read_them(real_course: Course) -> None:
    names = {c.id: c.name for c in real_course.directive.clauses}
    assert names["officials.1"] == "Yêu cầu (1) đối với cán bộ, công chức, viên chức"
    assert names["heads.2"] == "Nhiệm vụ (2) của người đứng đầu"
    assert len(set(names.values())) == len(names)  # no two clauses share a name
