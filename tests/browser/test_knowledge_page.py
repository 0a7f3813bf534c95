"""Tra cứu in the browser: "ruou bia" (no tone marks) finds clause officials.1 first, shown by its name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def test_search_without_tone_marks(
    start_voila: Callable[..., Any], page: Any, wait_for_voila: Callable[..., str]
) -> None:
    site = start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})
    page.goto(site.render_url("tra-cuu.ipynb"))
    wait_for_voila(page)
    page.locator(".nk-search input").fill("ruou bia")
    page.locator(".nk-search input").press("Enter")
    first = page.locator(".nk-search-results .nk-search-hit").first
    first.wait_for()
    clause = first.locator(".nk-clause-id").first
    assert clause.get_attribute("data-clause") == "officials.1"  # the ID for authors, the name for learners
    assert clause.inner_text().strip() == "Yêu cầu (1) đối với cán bộ, công chức, viên chức"
    assert "rượu, bia" in first.inner_text()
