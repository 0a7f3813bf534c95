"""Issue 4 in the browser: every module page of the real course, opened through Voilà, shows its
lesson, its questions and its scenario cases, and links to the glossary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from widgets.content.course import load_course
from widgets.content.model import ModuleKind

REPO = Path(__file__).resolve().parents[2]
COURSE = load_course()


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any], browser: Any) -> Any:
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


def shown_question_id(page: Any) -> str:
    classes = page.locator(".nk-question").first.get_attribute("class") or ""
    return next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))


@pytest.mark.parametrize("module", COURSE.modules, ids=lambda module: module.id)
def test_module_page_shows_its_lesson_questions_and_scenarios(
    site: Any, page: Any, wait_for_voila: Callable[..., str], module: Any
) -> None:
    page.goto(site.render_url(module.notebook))
    wait_for_voila(page)
    glossary = page.locator(".nk-site-nav a.nk-nav-glossary").first
    assert (glossary.get_attribute("href") or "").split("?")[0].endswith("thuat-ngu.ipynb")
    text = page.locator(".nk-page").first.inner_text()
    for section in module.sections:
        title = section.title.strip()
        assert title in text, title
    for clause_id in {clause_id for section in module.sections for clause_id in section.cites}:
        assert clause_id in text, clause_id  # shown as a tag before the clause's wording

    page.locator(".nk-question").first.wait_for()  # the guide's "Thử làm" too
    pool = COURSE.questions if module.kind is ModuleKind.ASSESSMENT else module.questions
    assert shown_question_id(page) in {q.id for q in pool}

    scenarios = page.locator(".nk-scenario")
    assert scenarios.count() == len(module.scenarios)
    for index, scenario in enumerate(module.scenarios):
        box = scenarios.nth(index)
        assert scenario.title in box.locator(".nk-scenario-node h3").inner_text()
        actions = scenario.node(scenario.start).actions
        assert box.locator(".nk-scenario-choice").count() == len(actions) >= 2
