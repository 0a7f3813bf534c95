"""Issue 20 on the kiosk: a learner signs in at the kiosk, answers a clause's question wrongly,
sees it "Cần ôn" on the "Nắm vững" map, reviews it on "Ôn tập" (reached through the kiosk's
link, which replaces the history entry) and sees the map change and the next review move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_review_journey import answer_one_wrongly, open_home, review_everything, sign_in, state_of

from widgets.content.course import load_course
from widgets.engine.mastery import requirement_clauses
from widgets.records.policy import COURSE_TZ

REPO = Path(__file__).resolve().parents[2]
NAME = "Lò Văn Kiốt Ôn"
SLOW = 120_000  # ms: a loaded 2-core machine takes ~20 s to load a page


@pytest.fixture(scope="module")
def kiosk(start_voila: Callable[..., Any], browser: Any) -> Any:
    """The kiosk configuration on the real course's learner notebooks."""
    return start_voila("kiosk", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


@pytest.mark.slow
def test_kiosk_learner_reviews_a_due_clause_and_the_map_changes(
    kiosk: Any, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    page.set_default_timeout(SLOW)
    token = sign_in(page, kiosk, wait_for_voila, NAME)
    question = answer_one_wrongly(page, kiosk, wait_for_voila, token)
    clause = next(c for c in question.cites if c in requirement_clauses(load_course().directive))

    open_home(page, kiosk, wait_for_voila, token)
    assert state_of(page, clause) == "due"
    assert page.locator("button.nk-sign-out").is_visible()  # the kiosk's session, not a learner site's
    history = page.evaluate("history.length")

    page.get_by_role("link", name="Ôn tập", exact=True).click()
    page.wait_for_url(lambda url: "/on-tap.ipynb?" in url)
    wait_for_voila(page, timeout=SLOW / 1000)
    assert f"session={token}" in page.url and "learner=" not in page.url
    assert page.evaluate("history.length") == history  # the kiosk replaced the entry
    review_everything(page)

    open_home(page, kiosk, wait_for_voila, token)
    assert state_of(page, clause) == "learning"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).astimezone(COURSE_TZ).strftime("%d/%m")
    assert f"Lần ôn tiếp theo: {tomorrow}" in page.locator(".nk-next-review").inner_text()
