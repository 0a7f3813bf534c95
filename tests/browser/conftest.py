"""Browser-test fixtures: real Voilà servers, headless Debian Chromium, a sealed network.

Every test in ``tests/browser`` is marked ``browser``. Without ``/usr/bin/chromium`` (or
``$NEUGUONG_CHROMIUM``) the tests that need a browser are skipped, or fail when
``NEUGUONG_REQUIRE_BROWSER=1``.

Fixtures (names are stable, other test modules rely on them):

* ``start_voila(mode="learner", *, root_dir=None, env=None, extra_args=(), timeout=90.0)
  -> VoilaServer`` (session): starts (once per distinct arguments; same arguments share one
  server) the kit's Voilà (``python -m widgets.site``) for ``mode`` through
  ``widgets.site.launch.build_launch`` on a free loopback port, with a temporary
  ``NEUGUONG_DATA`` (``server.data_dir``); ``root_dir``
  defaults to a temporary copy of ``tests/browser/notebooks``; ``env`` adds environment
  variables (e.g. ``{"NEUGUONG_PREHEAT": "0"}``); ``extra_args`` go to voila's command line
  (e.g. ``"--MappingKernelManager.cull_idle_timeout=4"``). Trainer mode gets a random token
  (``server.token``). Stopped (SIGTERM to its process group, then SIGKILL) at session end.
* ``learner_site -> VoilaServer`` (session): ``start_voila("learner")``.
* ``browser`` (module): Playwright Chromium at ``/usr/bin/chromium``.
* ``network -> NetworkLog`` (function) and ``page`` (function): a fresh context and page at
  1366x768 whose non-loopback requests are aborted and recorded in ``network.blocked``;
  teardown asserts that none happened, and that the browser console showed no error or
  warning (apart from the known-harmless version warnings in ``console_allowlist.py``, and what the test
  allowed with ``network.expect_console(pattern)``) and no uncaught page error.
* ``VoilaServer`` helpers: ``url``, ``render_url``, ``get``/``request`` (no redirects,
  trainer token added), ``fetch_page`` (GET a page, then release its kernel),
  ``shutdown_kernel``, ``kernel_ids``, ``kernel_pids``, ``wait_for_kernels``, ``log_tail``.
* ``wait_for_voila(page, *, timeout=60.0, widgets=True) -> str``: waits until the Voilà
  page shows its cells (``html[data-nk-rendered=true]``), a widget is drawn and the kernel
  is idle (``GET /api/kernels/<id>``); returns the kernel id.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from console_allowlist import known_harmless

from widgets.site.launch import build_launch
from widgets.testing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    is_kernel_process,
    is_loopback,
    stop_process_group,
)

HERE = Path(__file__).parent
NOTEBOOKS = HERE / "notebooks"
REQUIRE_BROWSER_ENV = "NEUGUONG_REQUIRE_BROWSER"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser as ``browser``."""
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# ---- Voilà servers --------------------------------------------------------------------------


@dataclass
class VoilaServer:
    """A running ``voila`` process started by :func:`start_voila`."""

    mode: str
    port: int
    root_dir: Path
    data_dir: Path
    connection_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    token: str | None = None
    kernel_pids_seen: set[int] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str = "", query: str = "") -> str:
        """Absolute URL of ``path`` (relative to the base URL), with ``query``."""
        url = self.base_url + path.lstrip("/")
        return f"{url}?{query}" if query else url

    def render_url(self, notebook: str, query: str = "") -> str:
        return self.url(f"voila/render/{notebook}", query)

    def request(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[int, bytes, dict[str, str]]:
        """One HTTP request, redirects not followed; returns (status, body, headers).
        With ``auth`` the trainer token goes in an ``Authorization`` header."""
        request = urllib.request.Request(self.url(path), data=data, headers=headers or {}, method=method)
        if auth and self.token:
            request.add_header("Authorization", f"token {self.token}")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=120) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)

    def get(
        self, path: str, headers: dict[str, str] | None = None, *, auth: bool = True
    ) -> tuple[int, bytes]:
        """GET ``path`` without following redirects; returns (status, body)."""
        status, body, _ = self.request("GET", path, headers=headers, auth=auth)
        return status, body

    def shutdown_kernel(self, kernel_id: str) -> int:
        """POST Voilà's page-close shutdown with the XSRF double submit (cookie + form
        field), as the browser does once our template has set the cookie."""
        xsrf = secrets.token_hex(16)
        status, _, _ = self.request(
            "POST",
            f"voila/api/shutdown/{kernel_id}",
            data=f"_xsrf={xsrf}".encode(),
            headers={
                "Cookie": f"_xsrf={xsrf}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return status

    def fetch_page(self, notebook: str, query: str = "") -> tuple[int, str]:
        """GET a rendered notebook without a browser, then shut its kernel down (nobody
        will close that page); returns (status, html)."""
        status, body = self.get(f"voila/render/{notebook}" + (f"?{query}" if query else ""))
        html = body.decode("utf-8", errors="replace")
        match = re.search(r'"kernelId": "([0-9a-f-]{36})"', html)
        if match:
            self.shutdown_kernel(match.group(1))
        return status, html

    def kernel_ids(self) -> list[str]:
        """Ids of the kernels this server runs (from its connection files)."""
        files = sorted(self.connection_dir.glob("voila_*/kernel-*.json"))
        return [f.stem.removeprefix("kernel-") for f in files]

    def kernel_pids(self) -> list[int]:
        """Process ids of the live kernel processes started by this server."""
        import psutil

        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        pids = []
        for child in children:
            try:
                kernel = is_kernel_process(child.name(), child.cmdline())
                if kernel and child.status() != psutil.STATUS_ZOMBIE:
                    pids.append(child.pid)
            except psutil.Error:
                continue
        self.kernel_pids_seen.update(pids)
        return pids

    def wait_for_kernels(self, predicate: Callable[[int], bool], timeout: float = 60.0) -> int:
        """Poll the number of kernel processes until ``predicate(count)``; return it."""
        deadline = time.monotonic() + timeout
        count = len(self.kernel_pids())
        while not predicate(count) and time.monotonic() < deadline:
            time.sleep(0.5)
            count = len(self.kernel_pids())
        return count

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _wait_until_up(server: VoilaServer, timeout: float) -> None:
    probe = server.url("voila/templates/neuguong/static/neuguong.css")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"voila exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"voila did not answer within {timeout} s:\n{server.log_tail()}")


def _stop(server: VoilaServer) -> None:
    """SIGTERM the server's process group (Voilà then shuts its kernels down), SIGKILL if
    needed, then kill any kernel process of ours that outlived it."""
    server.kernel_pids()
    stop_process_group(server.process)
    for pid in server.kernel_pids_seen:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def start_voila(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., VoilaServer]]:
    """Factory: ``start_voila(mode, *, root_dir=None, env=None, extra_args=())``."""
    servers: dict[str, VoilaServer] = {}

    def start(
        mode: str = "learner",
        *,
        root_dir: Path | None = None,
        env: dict[str, str] | None = None,
        extra_args: tuple[str, ...] = (),
        timeout: float = 90.0,
    ) -> VoilaServer:
        key = json.dumps([mode, str(root_dir), sorted((env or {}).items()), list(extra_args)])
        if key in servers:
            return servers[key]
        work = tmp_path_factory.mktemp(f"voila-{mode}")
        if root_dir is None:
            root_dir = work / "root"
            shutil.copytree(NOTEBOOKS, root_dir)
        data_dir = work / "data"
        connection_dir = work / "connections"
        connection_dir.mkdir()
        environ = {**os.environ, **(env or {})}
        environ.pop("NEUGUONG_DATA", None)
        token = None
        if mode == "trainer":
            token = environ.setdefault("NEUGUONG_TRAINER_TOKEN", secrets.token_hex(16))
        port = free_port()
        spec = build_launch(
            mode,
            port=port,
            ip="127.0.0.1",
            root_dir=root_dir,
            data_dir=data_dir,
            environ=environ,
            extra_args=(f"--Voila.connection_dir_root={connection_dir}", *extra_args),
        )
        log_path = work / "voila.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                spec.argv,
                env=spec.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        server = VoilaServer(
            mode, port, spec.root_dir, spec.data_dir, connection_dir, log_path, process, token
        )
        servers[key] = server
        _wait_until_up(server, timeout)
        return server

    yield start
    for server in servers.values():
        _stop(server)


@pytest.fixture(scope="session")
def learner_site(start_voila: Callable[..., VoilaServer]) -> VoilaServer:
    """The learner configuration serving a copy of ``tests/browser/notebooks``."""
    return start_voila("learner")


# ---- Browser --------------------------------------------------------------------------------


def _browser_unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_BROWSER_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_BROWSER_ENV}=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope: Playwright's sync API keeps an event loop running in this thread while it
    # is started; stopping it after each module leaves none behind for the tests that follow.
    """Headless Debian Chromium driven by Playwright (sync API)."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class NetworkLog:
    """What a page asked for: all requests, the blocked ones, failures, console errors and
    warnings (``console_errors`` holds both, as ``"<type>: <text>"``)."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_responses: list[tuple[int, str]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    expected_console: list[re.Pattern[str]] = field(default_factory=list)

    def expect_console(self, pattern: str) -> None:
        """Allow console messages matching ``pattern`` (``re.search`` on ``"<type>: <text>"``)
        in this test only: for a test that breaks something on purpose (kills the kernel or the
        server) and so expects the browser to complain. Say why at the call."""
        self.expected_console.append(re.compile(pattern))

    def unexpected_console(self) -> list[str]:
        """Console errors and warnings that are neither known harmless nor expected."""
        return [
            text for text in self.console_errors if not any(p.search(text) for p in self.expected_console)
        ]

    def record_console(self, kind: str, text: str) -> None:
        if kind in ("error", "warning") and not known_harmless(text):
            self.console_errors.append(f"{kind}: {text}")


@pytest.fixture
def network() -> NetworkLog:
    return NetworkLog()


@pytest.fixture
def page(browser: Any, network: NetworkLog) -> Iterator[Any]:
    """A fresh 1366x768 page; any request leaving loopback is aborted and counted, and the
    count must be 0 when the test ends."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN", service_workers="block"
    )

    def route(route: Any) -> None:
        url = route.request.url
        network.requests.append(url)
        if is_loopback(url):
            route.continue_()
        else:
            network.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.on("websocket", lambda ws: None if is_loopback(ws.url) else network.blocked.append(ws.url))
    page.on("requestfailed", lambda req: network.failed.append(req.url))
    page.on(
        "response",
        lambda resp: network.bad_responses.append((resp.status, resp.url)) if resp.status >= 400 else None,
    )
    page.on("console", lambda msg: network.record_console(msg.type, msg.text))
    page.on("pageerror", lambda err: network.page_errors.append(str(err)))
    yield page
    context.close()
    assert network.blocked == [], f"requests left the loopback address: {network.blocked}"
    unexpected = network.unexpected_console()
    assert unexpected == [], f"the browser console reported errors or warnings: {unexpected}"
    assert network.page_errors == [], f"uncaught errors in the page: {network.page_errors}"


def kernel_id_of(page: Any) -> str | None:
    """The kernel id Voilà put in the page config, if the page has one."""
    return page.evaluate(
        """() => {
            const el = document.getElementById('jupyter-config-data');
            try { return el ? JSON.parse(el.textContent).kernelId || null : null; }
            catch (e) { return null; }
        }"""
    )


def _wait_for_voila(page: Any, *, timeout: float = 60.0, widgets: bool = True) -> str:
    ms = timeout * 1000
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-nk-rendered') === 'true'", timeout=ms
    )
    if widgets:
        page.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible", timeout=ms)
    kernel_id = kernel_id_of(page)
    assert kernel_id, "the page has no kernel id"
    page.wait_for_function(
        """async (id) => {
            const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
            const r = await fetch(`${config.baseUrl}api/kernels/${id}`,
                                  {credentials: 'same-origin', cache: 'no-store'});
            return r.ok && (await r.json()).execution_state === 'idle';
        }""",
        arg=kernel_id,
        timeout=ms,
        polling=250,
    )
    return kernel_id


@pytest.fixture
def wait_for_voila() -> Callable[..., str]:
    """``wait_for_voila(page, *, timeout=60.0, widgets=True) -> kernel_id``."""
    return _wait_for_voila
