"""Kernels come and go with their pages (issue 16): a killed browser's kernels are shut down
after the grace period, a page whose kernel was lost reopens where its learner was, and a
burst of page loads all finish (kernels over Unix sockets: no TCP port race)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import stat
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import psutil
import pytest
from signing import session_query

from widgets.content.course import load_course
from widgets.records.identity import STAFF
from widgets.records.store import open_store
from widgets.site import transport
from widgets.testing import CHROMIUM, CHROMIUM_ARGS

from driving import answer

REPO = Path(__file__).resolve().parents[2]
GRACE_SECONDS = 6
RELOAD_DELAY_SECONDS = 8  # the learner configuration's reload_delay_seconds
BURST = 20
VoilaServer = Any


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., VoilaServer]) -> VoilaServer:
    """The learner configuration without a pool (no kernel runs while no page is open) and
    with a short grace period."""
    return start_voila(
        "learner",
        env={"NEUGUONG_PREHEAT": "0"},
        extra_args=(f"--NoDelayConnection.shutdown_grace_seconds={GRACE_SECONDS}",),
    )


def server_memory(server: VoilaServer) -> float:
    """MB of proportional set size (PSS: pages shared with the fork server count once) of the
    server, its fork server and its kernels."""
    root = psutil.Process(server.process.pid)
    total = 0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += process.memory_full_info().pss
    return total / 2**20


def browser_processes(profile: Path) -> list[psutil.Process]:
    """The Chromium started with ``profile`` and all its processes (renderers, network service)."""
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if f"--user-data-dir={profile}" in cmdline and not any(a.startswith("--type=") for a in cmdline):
            return [process, *process.children(recursive=True)]
    raise AssertionError(f"no Chromium runs with the profile {profile}")


def kill_browser(profile: Path) -> None:
    """SIGKILL the browser and every process of it: no unload, no beacon, no websocket close frame."""
    for process in browser_processes(profile):
        with contextlib.suppress(psutil.Error):
            os.kill(process.pid, signal.SIGKILL)


def test_a_killed_browser_frees_its_kernels_after_the_grace_period(
    site: VoilaServer, browser: Any, tmp_path: Path, wait_for_voila: Callable[..., str]
) -> None:
    site.fetch_page("other.ipynb")  # the fork server is up, as on a server that served a page
    assert site.wait_for_kernels(lambda n: n == 0, timeout=60) == 0
    time.sleep(1)
    idle_memory = server_memory(site)

    profile = tmp_path / "profile"
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    kernel_ids = []
    for _ in range(2):
        page = context.new_page()
        page.goto(site.render_url("other.ipynb"))
        kernel_ids.append(wait_for_voila(page))
    assert site.wait_for_kernels(lambda n: n == 2, timeout=30) == 2
    busy_memory = server_memory(site)

    kill_browser(profile)
    killed = time.monotonic()
    time.sleep(min(2, GRACE_SECONDS / 3))
    # No beacon was sent: the kernels are still there, within their grace period.
    assert all(site.get(f"api/kernels/{k}")[0] == 200 for k in kernel_ids), site.log_tail()

    left = site.wait_for_kernels(lambda n: n == 0, timeout=GRACE_SECONDS + 60)
    freed_after = time.monotonic() - killed
    time.sleep(1)
    freed_memory = server_memory(site)
    with contextlib.suppress(Exception):  # its browser is gone
        context.close()

    print(
        f"kernels freed {freed_after:.1f} s after the kill (grace {GRACE_SECONDS} s); PSS MB: "
        f"idle {idle_memory:.0f}, two pages {busy_memory:.0f}, after {freed_memory:.0f}"
    )
    assert left == 0, site.log_tail()
    assert GRACE_SECONDS - 1 <= freed_after <= GRACE_SECONDS + 60
    assert all(site.get(f"api/kernels/{k}")[0] == 404 for k in kernel_ids)
    assert "no page has been connected to it" in site.log_tail(200)
    # Memory back to the idle baseline: what the two kernels held is given back.
    assert busy_memory - idle_memory > 20
    assert freed_memory - idle_memory < max(15.0, 0.25 * (busy_memory - idle_memory))


def signed_in_query(server: VoilaServer, name: str) -> str:
    """A learner in the server's records store and a live session for them: ``session=<token>``."""
    store = open_store(data=server.data_dir)
    return session_query(store, store.sign_in(name, "Sở Nội vụ", STAFF).id)


def expect_lost_kernel(network: Any) -> None:
    """The watchdog's look at a lost kernel answers 404, which Chromium reports in the console."""
    if hasattr(network, "expect_console"):
        network.expect_console(r"status of 404 \(Not Found\)")


def shown_question(page: Any) -> str:
    classes = page.locator(".nk-question").first.get_attribute("class") or ""
    return next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))


def test_a_page_whose_kernel_was_lost_reopens_at_the_same_module_and_question(
    start_voila: Callable[..., VoilaServer], page: Any, network: Any, wait_for_voila: Callable[..., str]
) -> None:
    expect_lost_kernel(network)
    courses = start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})
    module = next(m for m in load_course().modules if m.id == "tong-quan")
    address = courses.render_url(module.notebook, signed_in_query(courses, "Quàng Văn Tâm"))
    page.goto(address)
    old_kernel = wait_for_voila(page)
    box = page.locator(".nk-question")
    first = shown_question(page)
    answer(box, load_course().question(first))
    box.locator(".nk-submit").click()
    box.locator(".nk-feedback.nk-correct").wait_for()
    page.locator(".nk-quiz").scroll_into_view_if_needed()
    time.sleep(0.5)  # the answer is saved before the feedback is settled; let the save land

    assert courses.shutdown_kernel(old_kernel) == 204  # as the culler or the grace period would
    notice = page.locator("#nk-session-notice")
    notice.wait_for(state="visible", timeout=30_000)
    assert "Phiên học trên máy chủ đã kết thúc" in notice.inner_text()
    with page.expect_navigation(timeout=60_000):
        notice.locator("button").click()  # "Mở lại trang ngay" (it would after reload_delay_seconds)
    new_kernel = wait_for_voila(page)
    assert new_kernel != old_kernel
    assert page.url == address  # the same page, with the learner: not the home page
    page.locator(".nk-question").first.wait_for()
    assert shown_question(page) != first  # the answered question is settled: the next one is shown
    page.wait_for_function("() => document.documentElement.getAttribute('data-nk-resumed') === 'anchor'")
    top = page.locator(".nk-quiz").evaluate("(el) => el.getBoundingClientRect().top")
    assert 0 <= top < 200, top  # scrolled back to the quiz


def test_a_page_that_loses_its_kernel_again_at_once_goes_home(
    start_voila: Callable[..., VoilaServer], page: Any, network: Any, wait_for_voila: Callable[..., str]
) -> None:
    expect_lost_kernel(network)
    site = start_voila("learner", env={"NEUGUONG_PREHEAT": "0"})
    address = site.render_url("other.ipynb")
    page.goto(address)
    for _ in range(2):
        kernel = wait_for_voila(page)
        assert page.url == address
        assert site.shutdown_kernel(kernel) == 204
        page.locator("#nk-session-notice").wait_for(state="visible", timeout=30_000)
        with page.expect_navigation(timeout=60_000):
            page.locator("#nk-session-notice button").click()
    page.wait_for_url("**/voila/render/home.ipynb", timeout=60_000)
    wait_for_voila(page)


def test_a_page_whose_connection_comes_back_with_its_kernel_carries_on(
    site: VoilaServer, page: Any, network: Any, wait_for_voila: Callable[..., str]
) -> None:
    if hasattr(network, "expect_console"):  # requests fail on purpose while offline
        network.expect_console(r"ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource")
    page.goto(site.render_url("other.ipynb"))
    kernel = wait_for_voila(page)
    page.evaluate("() => { window.nkNotReloaded = true; }")

    page.context.set_offline(True)
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-nk-session') === 'network'", timeout=90_000
    )
    notice = page.locator("#nk-session-notice")
    notice.wait_for(state="visible")
    assert "Mất kết nối tới máy chủ bài học" in notice.inner_text()
    page.context.set_offline(False)

    page.wait_for_function("() => !document.documentElement.hasAttribute('data-nk-session')", timeout=90_000)
    assert notice.is_hidden()
    assert page.evaluate("() => window.nkNotReloaded === true")  # the same page, not reloaded
    assert site.get(f"api/kernels/{kernel}")[0] == 200


def test_a_hidden_tab_reopens_only_once_shown(
    site: VoilaServer, page: Any, network: Any, wait_for_voila: Callable[..., str]
) -> None:
    expect_lost_kernel(network)
    page.goto(site.render_url("other.ipynb"))
    kernel = wait_for_voila(page)
    set_hidden = """(hidden) => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
        document.dispatchEvent(new Event('visibilitychange'));
        window.nkNotReloaded = true;
    }"""
    page.evaluate(set_hidden, True)
    assert site.shutdown_kernel(kernel) == 204
    page.wait_for_function("() => document.documentElement.getAttribute('data-nk-session') === 'kernel'")
    time.sleep(RELOAD_DELAY_SECONDS + 4)
    # Nobody looks at it: no notice, no reload, no new kernel.
    assert page.evaluate("() => window.nkNotReloaded === true")
    assert page.locator("#nk-session-notice").count() == 0
    with page.expect_navigation(timeout=60_000):
        page.evaluate(set_hidden, False)
    assert wait_for_voila(page) != kernel


def burst(server: VoilaServer, notebook: str, pages: int) -> list[tuple[int, str]]:
    """``pages`` loads of ``notebook`` at once, each kernel released afterwards; (status, html)
    of each. A page whose kernel died while starting never ends (Voilà keeps sending
    heartbeats): the loads get a deadline, so that is a failure, not a hung suite."""
    pool = ThreadPoolExecutor(max_workers=pages)
    futures = [pool.submit(server.fetch_page, notebook) for _ in range(pages)]
    _, late = wait(futures, timeout=400)
    pool.shutdown(wait=False, cancel_futures=True)
    assert not late, f"{len(late)} of {pages} pages never finished:\n{server.log_tail(80)}"
    return [future.result() for future in futures]


@pytest.mark.slow
@pytest.mark.skipif(not transport.ipc_available(), reason="no IPC transport on this platform")
def test_a_burst_of_page_loads_all_finish(start_voila: Callable[..., VoilaServer]) -> None:
    courses = start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})
    before = len(courses.kernel_pids())  # the server may be shared with other tests
    started = time.monotonic()
    results = burst(courses, "02-tong-quan.ipynb", BURST)
    print(f"{BURST} module pages at once: {time.monotonic() - started:.1f} s")
    assert [status for status, _ in results] == [200] * BURST
    assert [i for i, (_, html) in enumerate(results) if "widget-view+json" not in html] == []
    assert not any("nk-cell-error" in html for _, html in results)
    log = courses.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Address already in use" not in log
    assert courses.wait_for_kernels(lambda n: n <= before, timeout=60) <= before


@pytest.mark.skipif(not transport.ipc_available(), reason="no IPC transport on this platform")
def test_page_kernels_talk_over_unix_sockets_in_a_private_folder(site: VoilaServer) -> None:
    status, body = site.get("voila/render/other.ipynb")
    assert status == 200
    kernel_id = re.search(r'"kernelId": "([0-9a-f-]{36})"', body.decode()).group(1)  # type: ignore[union-attr]
    try:
        (connection_file,) = site.connection_dir.glob(f"voila_*/kernel-{kernel_id}.json")
        info = json.loads(connection_file.read_text())
        assert info["transport"] == "ipc"
        for port in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"):
            assert stat.S_ISSOCK(Path(f"{info['ip']}-{info[port]}").stat().st_mode)
        assert stat.S_IMODE(Path(info["ip"]).parent.stat().st_mode) == 0o700
    finally:
        site.shutdown_kernel(kernel_id)
