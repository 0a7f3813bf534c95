"""A scenario node's picture is drawn in Chromium under the site's CSP (img-src 'self' data:
blob:) with its alt text, and nothing leaves the machine to get it (the ``page`` fixture fails
any request off loopback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

FIXTURE_IMAGE = Path(__file__).resolve().parents[1] / "fixtures" / "images" / "scenario-node.png"

PAGE = """\
import dataclasses

from widgets.content.course import load_course
from widgets.views.scenario import ScenarioView

course = load_course()
scenario = next(s for m in course.modules for s in m.scenarios)
nodes = tuple(
    dataclasses.replace(n, image={image!r}, image_alt="Ảnh thử: một hình tròn đỏ trong khung")
    if n.id == scenario.start else n
    for n in scenario.nodes
)
ScenarioView(dataclasses.replace(scenario, nodes=nodes), course.directive)
"""


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any], browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("scenario-image")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(PAGE.format(image=str(FIXTURE_IMAGE)))]
    )
    notebook.metadata["title"] = "Ảnh tình huống"
    nbformat.write(notebook, root / "scenario.ipynb")
    return start_voila("learner", root_dir=root, env={"NEUGUONG_PREHEAT": "0"})


def test_scenario_node_picture_is_drawn_with_its_alt_text(
    site: Any, page: Any, wait_for_voila: Callable[..., str]
) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(site.render_url("scenario.ipynb"))
    wait_for_voila(page)
    image = page.locator(".nk-scenario .nk-scenario-image img")
    image.wait_for()
    page.wait_for_function("(img) => img.complete", arg=image.element_handle())
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [120, 72]
    assert page.get_by_role("img", name="Ảnh thử: một hình tròn đỏ trong khung").count() == 1
    assert (image.get_attribute("src") or "").startswith("data:image/png;base64,")
    assert refused == []
