"""Under a real JupyterHub the learner is the Hub user, and two Hub users never see each other's
records.

The test starts JupyterHub (``jupyterhub`` 5, ``configurable-http-proxy`` from npm) with the
DummyAuthenticator (a shared password) and ``SimpleLocalProcessSpawner``, configured by the TLJH
recipe itself (``deploy/jupyterhub/tljh/jupyterhub_config.d/neuguong.py``): each user's server is
``jupyter-standaloneproxy`` (which checks the Hub's OAuth) in front of the kit's learner site
(``deploy/jupyterhub/neuguong_voila.py``), all servers sharing one data folder (identity secret,
records) as on a TLJH host. Headless Chromium signs in through the Hub's login page.

The Hub and the proxy live outside the kit's environment (their pins differ), found through:

* ``NEUGUONG_JUPYTERHUB_BIN`` -- the ``jupyterhub`` command (else ``jupyterhub`` on PATH);
* ``NEUGUONG_STANDALONE_PROXY`` -- ``jupyter-standaloneproxy`` of that environment (else beside
  ``jupyterhub``);
* ``NEUGUONG_CHP_BIN`` -- ``configurable-http-proxy`` (else on PATH).

Without them the test is skipped (a failure in CI, see ``tests/conftest.py``)::

    python3 -m venv /opt/nk-hub
    /opt/nk-hub/bin/pip install 'jupyter-server-proxy[standalone]>=4.6,<5' 'jupyterhub==5.*'
    npm install -g configurable-http-proxy
    NEUGUONG_JUPYTERHUB_BIN=/opt/nk-hub/bin/jupyterhub
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from widgets.content.course import load_course
from widgets.records.config import sqlite_url
from widgets.records.identity import STAFF, hub_learner_id, load_secret
from widgets.testing import CHROMIUM, CHROMIUM_ARGS, free_port, is_loopback, stop_process_group

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from console_allowlist import known_harmless

from driving import answer

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
RECIPE = REPO / "deploy" / "jupyterhub" / "tljh" / "jupyterhub_config.d" / "neuguong.py"
PASSWORD = "mat-khau-thu-hub"
USER_A, USER_B = "lo-van-an", "cam-thi-binh"
NAME_A, NAME_B = "Lò Văn An", "Cầm Thị Bình"
SLOW = 240_000
"""ms: a first page under the Hub starts the user's server, the proxy, Voilà and a kernel."""


def _tool(env: str, name: str, *, beside: str | None = None) -> str:
    found = os.environ.get(env) or (
        str(Path(beside).parent / name) if beside and (Path(beside).parent / name).exists() else None
    )
    found = found or shutil.which(name)
    if not found or not Path(found).exists():
        pytest.skip(
            f"no {name} (set {env}): python3 -m venv V && V/bin/pip install "
            "'jupyter-server-proxy[standalone]>=4.6,<5' 'jupyterhub==5.*'; npm install -g "
            "configurable-http-proxy; NEUGUONG_JUPYTERHUB_BIN=V/bin/jupyterhub"
        )
    return found


@dataclass
class Hub:
    url: str
    data: Path
    log: Path
    process: subprocess.Popen[bytes]

    def tail(self, lines: int = 80) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def hub_config(tmp: Path, port: int, hub_port: int, api_port: int, chp: str) -> Path:
    """A jupyterhub_config.py: loopback ports, Dummy login, local processes, then the TLJH recipe."""
    home = tmp / "home"
    home.mkdir()
    config = tmp / "jupyterhub_config.py"
    config.write_text(
        f"""
c = get_config()  # noqa: F821
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {str(tmp / "proxy.pid")!r}
c.JupyterHub.pid_file = {str(tmp / "hub.pid")!r}
c.JupyterHub.db_url = {sqlite_url(tmp / "jupyterhub.sqlite")!r}
c.JupyterHub.cookie_secret_file = {str(tmp / "cookie_secret")!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {str(home)!r} + "/{{username}}"
# The recipe, as TLJH loads it from jupyterhub_config.d:
exec(compile(open({str(RECIPE)!r}, encoding="utf-8").read(), {str(RECIPE)!r}, "exec"))
c.Spawner.environment["NEUGUONG_CACHE"] = {str(tmp / "cache")!r}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    jupyterhub = _tool("NEUGUONG_JUPYTERHUB_BIN", "jupyterhub")
    proxy = _tool("NEUGUONG_STANDALONE_PROXY", "jupyter-standaloneproxy", beside=jupyterhub)
    chp = _tool("NEUGUONG_CHP_BIN", "configurable-http-proxy")
    tmp = tmp_path_factory.mktemp("hub")
    data = tmp / "data"
    env_file = tmp / "neuguong.env"
    env_file.write_text(f"NEUGUONG_DATA={data}\nNEUGUONG_HOSTNAMES=\n", encoding="utf-8")
    port, hub_port, api_port = free_port(), free_port(), free_port()
    config = hub_config(tmp, port, hub_port, api_port, chp)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTERHUB_", "NEUGUONG_", "VOILA_", "QUERY_STRING"))
    }
    env |= {
        "NEUGUONG_KIT": str(REPO),
        "NEUGUONG_PROXY_ENV": str(Path(proxy).parent.parent),
        "NEUGUONG_PYTHON": sys.executable,
        "NEUGUONG_TLJH_ENV_FILE": str(env_file),
        "CONFIGPROXY_AUTH_TOKEN": os.urandom(16).hex(),
    }
    log = tmp / "hub.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [jupyterhub, "-f", str(config)],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = Hub(f"http://127.0.0.1:{port}", data, log, process)
    try:
        _wait_up(started, f"{started.url}/hub/api", timeout=120)
        yield started
    finally:
        stop_process_group(process, timeout=30)


def _wait_up(hub: Hub, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            pytest.fail(f"JupyterHub exited ({hub.process.returncode}):\n{hub.tail()}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=5) as up,
        ):
            if up.status == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"JupyterHub did not answer {url} in {timeout:.0f} s:\n{hub.tail()}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Visitor:
    """One person's browser context: its page, and what its console and network reported."""

    context: Any
    page: Any
    console: list[str]
    blocked: list[str]

    def check(self) -> None:
        assert self.blocked == [], f"requests left the loopback address: {self.blocked}"
        assert self.console == [], f"the browser console reported errors or warnings: {self.console}"


def visitor(browser: Any) -> Visitor:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    found = Visitor(context, None, [], [])

    def route(route: Any) -> None:
        if is_loopback(route.request.url):
            route.continue_()
        else:
            found.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(SLOW)

    def console(message: Any) -> None:
        hubs_own_page = "/hub/" in (message.location or {}).get("url", "")  # not the kit's
        if message.type in ("error", "warning") and not known_harmless(message.text) and not hubs_own_page:
            found.console.append(f"{message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: found.console.append(f"pageerror: {error}"))
    found.page = page
    return found


def wait_for_site(page: Any) -> None:
    """The learner site's page has drawn its widgets."""
    page.wait_for_function(
        "() => document.documentElement.getAttribute('data-nk-rendered') === 'true'", timeout=SLOW
    )
    page.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible", timeout=SLOW)


def log_in(hub: Hub, page: Any, user: str) -> None:
    """The Hub's login page, then (the recipe's default URL) the user's own learner site."""
    page.goto(f"{hub.url}/hub/login")
    page.locator("input#username_input").fill(user)
    page.locator("input#password_input").fill(PASSWORD)
    page.locator("#login_submit").click()
    page.wait_for_url(f"**/user/{user}/**", timeout=SLOW)
    wait_for_site(page)


def fill_profile(page: Any, name: str) -> None:
    form = page.locator(".nk-hub-profile")
    form.wait_for()
    assert form.locator(".nk-pin, .nk-pin-confirm, .nk-code").count() == 0  # no PIN is asked
    form.locator(".nk-name input").fill(name)
    form.locator(".nk-unit select").select_option(index=1)
    form.get_by_text(STAFF, exact=True).click()
    form.locator(".nk-signin-submit").click()
    page.locator(".nk-progress").wait_for()


def answer_one(page: Any) -> str:
    box = page.locator(".nk-question").first
    box.wait_for()
    classes = box.get_attribute("class") or ""
    question_id = next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))
    answer(box, load_course().question(question_id))
    box.locator(".nk-submit").click()
    box.locator(".nk-feedback.nk-correct").wait_for()
    return question_id


def records(data: Path) -> dict[str, list[tuple[str, ...]]]:
    """Learners and answers in the shared records database, read directly."""
    engine = sa.create_engine(sqlite_url(data / "records.sqlite"))
    try:
        with engine.connect() as conn:
            learners = conn.execute(sa.text("SELECT id, full_name FROM learners")).all()
            answers = conn.execute(sa.text("SELECT learner_id, question_id FROM answers")).all()
            events = conn.execute(sa.text("SELECT learner_id, event, detail FROM audit_events")).all()
    finally:
        engine.dispose()
    return {
        "learners": [tuple(r) for r in learners],
        "answers": [tuple(r) for r in answers],
        "audit": [tuple(r) for r in events],
    }


def test_two_hub_users_each_see_only_their_own_records(hub: Hub, browser: Any) -> None:
    module = next(m for m in load_course().modules if m.id == "tong-quan")
    a = visitor(browser)
    log_in(hub, a.page, USER_A)
    assert f"/user/{USER_A}/voila/render/home.ipynb" in a.page.url, hub.tail()
    fill_profile(a.page, NAME_A)  # the profile, once
    assert NAME_A in a.page.locator(".nk-progress").inner_text()
    assert "session=" not in a.page.content()  # the Hub authenticates: links carry nothing

    a.page.goto(f"{hub.url}/user/{USER_A}/voila/render/{module.notebook}")
    wait_for_site(a.page)
    answered = answer_one(a.page)

    secret = load_secret(hub.data, create=False)  # the one the users' servers share
    id_a, id_b = hub_learner_id(secret, USER_A), hub_learner_id(secret, USER_B)
    found = records(hub.data)
    assert found["learners"] == [(id_a, NAME_A)]
    assert (id_a, answered) in found["answers"] and {r[0] for r in found["answers"]} == {id_a}

    a.page.goto(f"{hub.url}/user/{USER_A}/voila/render/home.ipynb")  # the next visit: no form
    wait_for_site(a.page)
    a.page.locator(".nk-progress").wait_for()
    assert a.page.locator(".nk-signin").count() == 0
    state = a.page.locator(f'.nk-progress li[data-module="{module.id}"]').get_attribute("data-state")
    assert state != "not-started", state

    b = visitor(browser)
    log_in(hub, b.page, USER_B)
    assert NAME_A not in b.page.content()
    fill_profile(b.page, NAME_B)
    progress = b.page.locator(".nk-progress")
    assert NAME_B in progress.inner_text() and NAME_A not in b.page.content()
    state = b.page.locator(f'.nk-progress li[data-module="{module.id}"]').get_attribute("data-state")
    assert state == "not-started", "B sees no progress of A's"

    # Nothing in an address or a header makes B's server show A, and A's server is not B's to open.
    for query in (f"JUPYTERHUB_USER={USER_A}", f"learner={id_a}", f"user={USER_A}"):
        b.page.goto(f"{hub.url}/user/{USER_B}/voila/render/home.ipynb?{query}")
        wait_for_site(b.page)
        assert NAME_A not in b.page.content(), query
    b.context.set_extra_http_headers({"JUPYTERHUB_USER": USER_A, "X-Forwarded-User": USER_A})
    b.page.goto(f"{hub.url}/user/{USER_B}/voila/render/home.ipynb")
    wait_for_site(b.page)
    assert NAME_B in b.page.locator(".nk-progress").inner_text() and NAME_A not in b.page.content()
    b.context.set_extra_http_headers({})
    response = b.page.goto(f"{hub.url}/user/{USER_A}/voila/render/home.ipynb")
    assert NAME_A not in b.page.content()
    assert response is None or response.status in (403, 404) or f"/user/{USER_A}/" not in b.page.url

    found = records(hub.data)
    assert sorted(found["learners"]) == sorted([(id_a, NAME_A), (id_b, NAME_B)])
    assert {r[0] for r in found["answers"]} == {id_a}
    via_hub = '{"via":"jupyterhub"}'
    assert {(id_a, "sign_in_new", via_hub), (id_b, "sign_in_new", via_hub)} <= set(found["audit"])
    a.check()
    b.check()
    a.context.close()
    b.context.close()
