"""The learner site, serving the real ``notebooks/learner``, cannot reach the trainer notebooks
by any path: relative, percent-encoded, through the files, tree or contents routes. Plain HTTP
against a real server (no browser page); the learner home page on the same server renders,
so the refusals are not an artefact of a dead server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
TRAINER = REPO / "notebooks" / "trainer"
NOTEBOOKS = sorted(path.name for path in TRAINER.glob("*.ipynb"))
# What would show that a trainer notebook was served (its code or its title).
MARKERS = (
    b"widgets.views.trainer",
    b"widgets.views.rooms",
    b"dashboard_page",
    b"room_page",
    b"guide_page",
    b"audit_page",
)
TITLES = ("Bảng theo dõi lớp học", "Phòng học trực tiếp", "Hướng dẫn giảng viên", "Nhật ký đăng nhập")
ROUTES = (
    "voila/render/../trainer/{nb}",
    "voila/render/%2e%2e/trainer/{nb}",
    "voila/render/..%2ftrainer%2f{nb}",
    "voila/render/%2E%2E%2Ftrainer%2F{nb}",
    "voila/render/trainer/{nb}",
    "voila/render//{root}/trainer/{nb}",
    "voila/render/learner/../../trainer/{nb}",
    "voila/files/../trainer/{nb}",
    "voila/files/%2e%2e/trainer/{nb}",
    "voila/tree/../trainer",
    "voila/tree/%2e%2e/trainer",
    "api/contents/../trainer/{nb}",
    "api/contents/%2e%2e%2ftrainer%2f{nb}",
    "files/../trainer/{nb}",
    "notebooks/../trainer/{nb}",
)


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any]) -> Any:
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


def test_the_trainer_notebooks_exist_outside_the_learner_root(site: Any) -> None:
    assert NOTEBOOKS == ["audit.ipynb", "dashboard.ipynb", "guide.ipynb", "room.ipynb"]
    assert not TRAINER.resolve().is_relative_to(Path(site.root_dir).resolve())
    status, html = site.fetch_page("home.ipynb")
    assert status == 200 and "nk-" in html  # the same server does serve learner pages


@pytest.mark.parametrize("route", ROUTES)
def test_the_learner_site_never_serves_a_trainer_notebook(site: Any, route: str) -> None:
    for notebook in NOTEBOOKS:
        path = route.format(nb=notebook, root=REPO.as_posix().lstrip("/") + "/notebooks")
        status, body, headers = site.request("GET", path)
        assert status in (301, 302, 400, 403, 404, 405), (path, status)
        assert not any(marker in body for marker in MARKERS), path
        assert not any(title in body.decode("utf-8", "replace") for title in TITLES), path
        if status in (301, 302):  # wherever it sends us is refused too
            target = urlsplit(headers["Location"])
            query = f"?{target.query}" if target.query else ""
            again, body, _ = site.request("GET", target.path.lstrip("/") + query)
            assert again != 200 or not any(marker in body for marker in MARKERS), (path, headers["Location"])
