"""The site shell (template ``neuguong`` + learner configuration) on a tiny notebook."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

HEADER = "UBND tỉnh Sơn La — Bồi dưỡng trách nhiệm nêu gương trong thực thi công vụ"
# Smallest valid PNG (1x1, transparent).
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_page_shows_site_header_in_vietnamese(learner_site, page, network, wait_for_voila):
    page.goto(learner_site.render_url("home.ipynb"))
    wait_for_voila(page)

    assert page.evaluate("document.documentElement.lang") == "vi"
    header = page.locator("header.nk-site-header")
    assert " ".join(header.text_content().split()) == HEADER
    assert page.title() == "Trang thử — Nêu gương"
    assert network.bad_responses == []
    assert network.page_errors == []


def test_loading_text_is_vietnamese(learner_site):
    status, html = learner_site.fetch_page("home.ipynb")

    assert status == 200
    assert "Đang tải bài học…" in html
    assert "Running " not in html and "Executing " not in html
    assert "cdn.jsdelivr.net" not in html and "https://" not in html


def test_session_modules_load_versioned_before_voila(learner_site, page, network, wait_for_voila):
    """The session script's ES modules, each asked for with its ``?v=`` (the import map), have
    replaced window.WebSocket and set the XSRF cookie (test_kernel_lifecycle drives the rest)."""
    page.goto(learner_site.render_url("home.ipynb"))
    wait_for_voila(page)

    parts = [url for url in network.requests if "/static/session/" in url]
    names = {url.split("/static/session/")[1].split("?")[0] for url in parts}
    assert {"main.js", "watchdog.js", "sockets.js", "kiosk.js", "xsrf.js"} <= names
    assert all(re.search(r"\?v=[0-9a-f]{32,}$", url) for url in parts), parts
    assert page.evaluate("window.WebSocket.name") == "WatchedWebSocket"
    assert page.evaluate("document.cookie").count("_xsrf=") == 1
    assert network.page_errors == []
    assert network.bad_responses == []


def test_button_works_and_its_icon_font_is_served_locally(learner_site, page, wait_for_voila):
    page.goto(learner_site.render_url("home.ipynb"))
    wait_for_voila(page)

    button = page.locator("button.nk-test-button")
    assert button.locator("i.fa-check").count() == 1
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18

    button.click()
    page.locator(".nk-test-label", has_text="Đã bấm").wait_for()
    assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 5 Free\"')")


@pytest.mark.parametrize(
    "name",
    [
        "home.ipynb",
        "HOME.IPYNB",
        "helper.py",
        "notes.md",
        "settings.yml",
        "settings.yaml",
        "progress.sqlite",
        "progress.sqlite-wal",
        "progress.sqlite-journal",
        "progress.sqlite-shm",
        "records.db",
        ".env",
        "sub/../home.ipynb",
    ],
)
def test_files_route_refuses_non_images(learner_site, name: str):
    for filename in (
        "helper.py",
        "notes.md",
        "settings.yml",
        "settings.yaml",
        "progress.sqlite",
        "progress.sqlite-wal",
        "progress.sqlite-journal",
        "progress.sqlite-shm",
        "records.db",
        ".env",
    ):
        (learner_site.root_dir / filename).write_text("secret\n", encoding="utf-8")

    status, body = learner_site.get(f"voila/files/{name}")
    assert status in (403, 404), (name, status)
    assert b"secret" not in body

    if name.lower().endswith(".ipynb"):
        return
    # The render route redirects other files to /voila/files, which refuses them too.
    status, body = learner_site.get(f"voila/render/{name}")
    assert status in (302, 403, 404), (name, status)
    assert b"secret" not in body


def test_files_route_serves_images(learner_site):
    (learner_site.root_dir / "picture.png").write_bytes(PNG_1X1)

    status, body = learner_site.get("voila/files/picture.png")

    assert status == 200
    assert body == PNG_1X1


def test_template_and_theme_overrides_are_ignored(learner_site):
    status, html = learner_site.fetch_page("home.ipynb", "template=lab&theme=dark")

    assert status == 200
    assert '<html lang="vi">' in html
    assert "nk-site-header" in html
    assert "cdn.jsdelivr.net" not in html
    assert 'data-jp-theme-name="JupyterLab Light"' in html


def test_security_headers_and_host_check(learner_site):
    import urllib.request

    with urllib.request.urlopen(learner_site.url("voila/tree"), timeout=30) as response:
        csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'self'" in csp

    # DNS rebinding: a foreign Host header is refused.
    status, _ = learner_site.get("voila/tree", headers={"Host": f"evil.example:{learner_site.port}"})
    assert status == 403


def _navigate(page: Any, url: str, wait_for_voila: Any) -> str:
    page.goto(url)
    return wait_for_voila(page)


@pytest.mark.slow
def test_leaving_pages_leaves_no_kernel_running(learner_site, page, network, wait_for_voila):
    """voila#1458: each page's kernel is shut down when the page is left (20 pages)."""
    # home.ipynb is preheated with a pool of 2 in the learner configuration; other tests
    # may still be releasing their kernels (a page closed without unloading sends no beacon:
    # its kernel goes once NoDelayConnection.shutdown_grace_seconds has passed).
    pool = learner_site.wait_for_kernels(lambda n: n == 2, timeout=150)
    kernels: list[str] = []

    for index in range(20):
        notebook = "home.ipynb" if index % 2 == 0 else "other.ipynb"
        kernels.append(_navigate(page, learner_site.render_url(notebook), wait_for_voila))
        # The pages left so far hold no kernel; only this page and the pool do.
        assert learner_site.wait_for_kernels(lambda n: n <= pool + 1, timeout=30) <= pool + 1

    # Leave the last page for one without a kernel. (Playwright's request routing drops a
    # beacon sent while navigating to about:blank; real navigations and closing keep it.)
    page.goto(learner_site.url("voila/tree"))
    # Wait for the pages' own kernels, not for a count: while the pool refills after the last
    # home page took one of its kernels, the count can reach the pool's size with the last
    # page's kernel still shutting down (seen under load in CI).
    deadline = time.monotonic() + 30
    alive = list(kernels)
    while alive and time.monotonic() < deadline:
        alive = [k for k in alive if learner_site.get(f"api/kernels/{k}")[0] != 404]
        if alive:
            time.sleep(0.25)
    assert alive == []
    assert len(set(kernels)) == 20
    assert learner_site.wait_for_kernels(lambda n: n == pool, timeout=60) == pool
    log = learner_site.log_path.read_text(encoding="utf-8", errors="replace")
    refused = [k for k in kernels if re.search(rf"403 POST /voila/api/shutdown/{k}", log)]
    assert refused == []


def test_page_reopens_itself_when_its_kernel_is_gone(learner_site, page, network, wait_for_voila):
    """The same address again (the learner resumes there), not the home page (issue 16)."""
    if hasattr(network, "expect_console"):  # the lost kernel's address answers 404 on purpose
        network.expect_console(r"status of 404 \(Not Found\)")
    address = learner_site.render_url("other.ipynb")
    page.goto(address)
    kernel_id = wait_for_voila(page)

    assert learner_site.shutdown_kernel(kernel_id) == 204  # as the culler would

    with page.expect_navigation(timeout=90_000):  # after reload_delay_seconds
        notice = page.locator("#nk-session-notice")
        notice.wait_for(state="visible", timeout=30_000)
        assert "Phiên học trên máy chủ đã kết thúc" in notice.inner_text()
        assert notice.get_attribute("role") == "alertdialog"
    assert wait_for_voila(page) != kernel_id
    assert page.url == address


def test_kiosk_returns_home_after_idle_time(start_voila, page, wait_for_voila):
    idle = {"home": "voila/render/home.ipynb", "idle_reset_seconds": 8, "idle_warning_seconds": 5}
    kiosk = start_voila(
        "kiosk", extra_args=(f"--VoilaConfiguration.resources={json.dumps({'neuguong': idle})}",)
    )
    page.goto(kiosk.render_url("other.ipynb"))
    wait_for_voila(page)

    notice = page.locator("#nk-session-notice")
    notice.wait_for(state="visible", timeout=20_000)
    assert "Đã lâu không có thao tác" in notice.inner_text()
    page.wait_for_url("**/voila/render/home.ipynb", timeout=60_000)
    wait_for_voila(page)
