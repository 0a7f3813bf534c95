"""The live workshop room: a trainer's projector screen and two learners in separate browsers.

Both sites share one records store. The learners join by the room's code on the home page
and make a scenario choice; the trainer's screen shows the count within a few seconds,
without any name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from signing import session_query

from widgets.content.course import load_course
from widgets.records import rooms
from widgets.records.store import open_store
from widgets.views.rooms.room import focus_options

REPO = Path(__file__).resolve().parents[2]
NAMES = ("Quàng Văn Bình", "Tòng Thị Lan")


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("room-data")
    return {"NEUGUONG_DB_URL": f"sqlite:///{data / 'records.sqlite'}", "NEUGUONG_PREHEAT": "0"}


def test_room_counts_answers_from_two_browsers(
    start_voila: Callable[..., Any],
    browser: Any,
    page: Any,
    shared_db: dict[str, str],
    wait_for_voila: Callable[..., str],
) -> None:
    trainer = start_voila("trainer", root_dir=REPO / "notebooks" / "trainer", env=shared_db)
    learners_site = start_voila("learner", root_dir=REPO / "notebooks" / "learner", env=shared_db)
    course = load_course()
    module = next(m for m in course.modules if m.scenarios)
    scenario = module.scenarios[0]
    focus = rooms.node_focus(scenario.id, scenario.start)
    focus_index = 1 + [value for _, value in focus_options(course)].index(focus)

    page.goto(trainer.render_url("room.ipynb", f"token={trainer.token}"))
    wait_for_voila(page)
    page.locator(".nk-room-open").click()
    code_box = page.locator(".nk-room-code")
    code_box.wait_for()
    code = code_box.get_attribute("data-code")
    page.locator(".nk-room-page select").nth(1).select_option(index=focus_index)
    page.locator('.nk-room-count[data-answered="0"]').wait_for()

    previous = os.environ.get("NEUGUONG_DB_URL")
    os.environ["NEUGUONG_DB_URL"] = shared_db["NEUGUONG_DB_URL"]
    try:
        store = open_store()
        ids = [store.sign_in(name, course.units[0], "cán bộ, công chức, viên chức").id for name in NAMES]
        queries = [session_query(store, learner_id) for learner_id in ids]
    finally:
        if previous is None:
            os.environ.pop("NEUGUONG_DB_URL")
        else:
            os.environ["NEUGUONG_DB_URL"] = previous

    contexts = []
    for query in queries:
        context = browser.new_context(viewport={"width": 1024, "height": 768})
        context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
        contexts.append(context)
        learner = context.new_page()
        learner.goto(learners_site.render_url("home.ipynb", query))
        wait_for_voila(learner)
        learner.locator(".nk-room-code-input input").fill(code)
        learner.locator(".nk-room-join").click()
        learner.locator(".nk-room-status").get_by_text(code).wait_for()
        learner.goto(learners_site.render_url(module.notebook, query))
        wait_for_voila(learner)
        learner.locator(".nk-scenario").first.locator(".nk-scenario-choice").first.click()
        learner.locator(".nk-outcome").first.wait_for()

    count = page.locator('.nk-room-count[data-answered="2"]')
    count.wait_for(timeout=10_000)  # refreshed every 2 s
    screen = page.locator(".nk-room-live").inner_text()
    assert not any(name in screen for name in NAMES)
    for context in contexts:
        context.close()
