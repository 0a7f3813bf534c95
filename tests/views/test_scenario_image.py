"""A scenario node's picture travels inside the page as a ``data:`` URI (offline, within the
site's CSP), with its alt text escaped, and a picture gone since the check only drops the image."""

from __future__ import annotations

import base64
import dataclasses
import shutil
from pathlib import Path

from widgets.content.model import Course
from widgets.views.scenario import ScenarioView, image_uri

FIXTURE_IMAGE = Path(__file__).parents[1] / "fixtures" / "images" / "scenario-node.png"


def with_picture(course: Course, tmp_path: Path, alt: str) -> tuple[ScenarioView, str]:
    picture = tmp_path / "trua.png"
    shutil.copy(FIXTURE_IMAGE, picture)
    scenario = course.module("tong-quan").scenarios[0]
    nodes = tuple(
        dataclasses.replace(n, image=str(picture), image_alt=alt) if n.id == scenario.start else n
        for n in scenario.nodes
    )
    scenario = dataclasses.replace(scenario, nodes=nodes)
    return ScenarioView(scenario, course.directive), str(picture)


def test_scenario_node_shows_its_picture_inside_the_page(course: Course, tmp_path: Path) -> None:
    view, picture = with_picture(course, tmp_path, 'Hai người "đang" ăn trưa <b>')
    html = view.children[0].value
    uri = "data:image/png;base64," + base64.b64encode(FIXTURE_IMAGE.read_bytes()).decode()
    assert f'<img src="{uri}"' in html  # no URL to fetch: offline, and within img-src data:
    assert 'alt="Hai người &#34;đang&#34; ăn trưa &lt;b&gt;"' in html
    assert picture not in html  # no server path reaches the browser


def test_scenario_node_without_a_picture_has_no_img(course: Course) -> None:
    view = ScenarioView(course.module("tong-quan").scenarios[0], course.directive)
    assert "<img" not in view.children[0].value


def test_a_picture_gone_since_the_check_leaves_the_text(course: Course, tmp_path: Path) -> None:
    view, picture = with_picture(course, tmp_path, "Ảnh")
    Path(picture).unlink()
    image_uri.cache_clear()
    again = ScenarioView(view.scenario, course.directive)
    assert "<img" not in again.children[0].value
    assert "Đồng nghiệp rủ uống bia" in again.children[0].value
