"""Two learner sites, one PostgreSQL records store: what a learner does on one is seen on the other.

Two real Voilà learner servers (different ports, different data folders) run with
``NEUGUONG_DB_URL`` pointing at the same fresh PostgreSQL database, as two replicas behind a
proxy or two office machines would. A learner signs in and answers on server A; server B's
home page, opened with the same ``?session=`` token, shows the module in progress (the servers
share the installation's identity secret, as replicas of one installation must). A second
learner does the same on B, seen from A. A workshop room opened on the shared store counts
the answers made on both servers.

PostgreSQL: ``NEUGUONG_TEST_PG_URL`` when set, else a throw-away server from
``.ci/postgres.sh``; skipped when neither works, unless ``NEUGUONG_REQUIRE_PG=1``. Browser:
Debian's ``/usr/bin/chromium`` through Playwright; skipped without it, unless
``NEUGUONG_REQUIRE_BROWSER=1`` (as in ``tests/browser``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from signing import fill_pin

from widgets.content.course import load_course
from widgets.site.launch import build_launch
from widgets.testing import CHROMIUM, CHROMIUM_ARGS, free_port, stop_process_group

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
MODULE = "tong-quan"
TIMEOUT_MS = 90_000


# ---- PostgreSQL ------------------------------------------------------------------------------


def _unavailable(reason: str, env: str) -> None:
    if os.environ.get(env) == "1":
        pytest.fail(f"{reason} ({env}=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database on the test PostgreSQL server."""
    base = os.environ.get("NEUGUONG_TEST_PG_URL", "").strip()
    started: str | None = None
    if not base:
        try:
            done = subprocess.run(
                ["bash", str(REPO / ".ci" / "postgres.sh")],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            _unavailable(f"no PostgreSQL: .ci/postgres.sh did not run ({error})", "NEUGUONG_REQUIRE_PG")
        if done.returncode != 0:
            _unavailable(
                f"no PostgreSQL: .ci/postgres.sh failed: {done.stderr[-500:]}", "NEUGUONG_REQUIRE_PG"
            )
        for line in done.stdout.splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            if key == "NEUGUONG_TEST_PG_URL":
                base = value.strip("'")
            elif key == "NEUGUONG_TEST_PG_DIR":
                started = value.strip("'")
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    name = f"nk_scale_{secrets.token_hex(4)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        from widgets.records import db

        db.dispose_engines()
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if started:
            subprocess.run(
                ["bash", str(REPO / ".ci" / "postgres.sh"), "stop"],
                env={**os.environ, "NEUGUONG_TEST_PG_DIR": started},
                capture_output=True,
                timeout=120,
                check=False,
            )


# ---- Two learner servers ------------------------------------------------------------------------


@dataclass
class Site:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def url(self, notebook: str, query: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{notebook}" + (f"?{query}" if query else "")


SHARED_IDENTITY_SECRET = secrets.token_hex(32)


def _start(name: str, db_url: str, work: Path) -> Site:
    environ = {**os.environ, "NEUGUONG_DB_URL": db_url, "NEUGUONG_PREHEAT": "0"}
    environ.pop("NEUGUONG_DATA", None)
    connections = work / "connections"
    connections.mkdir(parents=True)
    (work / "data").mkdir(parents=True, exist_ok=True)
    secret = work / "data" / "identity-secret"
    secret.write_text(SHARED_IDENTITY_SECRET + "\n")  # one installation: one secret
    secret.chmod(0o600)
    port = free_port()
    spec = build_launch(
        "learner",
        port=port,
        ip="127.0.0.1",
        data_dir=work / "data",
        environ=environ,
        extra_args=(f"--Voila.connection_dir_root={connections}",),
    )
    log = work / "voila.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            spec.argv, env=spec.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    return Site(name, port, process, log)


def _wait_up(site: Site, timeout: float = 90.0) -> None:
    probe = f"http://127.0.0.1:{site.port}/voila/templates/neuguong/static/neuguong.css"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            raise RuntimeError(f"server {site.name} exited:\n{site.log.read_text(errors='replace')[-3000:]}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(probe, timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"server {site.name} did not answer:\n{site.log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found", "NEUGUONG_REQUIRE_BROWSER")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed", "NEUGUONG_REQUIRE_BROWSER")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def sites(pg_url: str, browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Site]]:
    work = tmp_path_factory.mktemp("two-sites")
    a = _start("A", pg_url, work / "a")
    b = _start("B", pg_url, work / "b")
    try:
        _wait_up(a)
        _wait_up(b)
        yield a, b
    finally:
        stop_process_group(a.process)
        stop_process_group(b.process)


# ---- Driving the pages ----------------------------------------------------------------------------


def _driving() -> Any:
    """``tests/browser/driving.py`` (answers a question the way a learner does)."""
    spec = importlib.util.spec_from_file_location("nk_driving", REPO / "tests" / "browser" / "driving.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _goto(context: Any, url: str) -> Any:
    """Start loading ``url`` in a new tab; the caller waits (so two servers work at once)."""
    page = context.new_page()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    return page


def _sign_in(page: Any, name: str) -> str:
    """Fill the sign-in form of an opened home page; returns the session token."""
    form = page.locator(".nk-signin")
    form.wait_for(state="visible", timeout=TIMEOUT_MS)
    form.locator(".nk-name input").fill(name)
    form.locator(".nk-unit select").select_option(index=1)
    form.get_by_text("cán bộ, công chức, viên chức", exact=True).click()
    fill_pin(form)
    form.locator(".nk-signin-submit").click()
    page.wait_for_function(
        "() => document.querySelector('a.nk-redirect') || location.search.includes('session=')",
        timeout=TIMEOUT_MS,
    )
    href = page.url if "session=" in page.url else page.locator("a.nk-redirect").get_attribute("href")
    page.close()
    return parse_qs(urlparse(href).query)["session"][0]


def _answer_first_question(page: Any) -> str:
    """Answer the first question of an opened module page rightly; returns its ID."""
    box = page.locator(".nk-question").first
    box.wait_for(state="visible", timeout=TIMEOUT_MS)
    classes = box.get_attribute("class") or ""
    question_id = next(c.removeprefix("nk-q-") for c in classes.split() if c.startswith("nk-q-"))
    _driving().answer(box, load_course().question(question_id))
    box.locator(".nk-submit").click()
    box.locator(".nk-feedback.nk-correct").wait_for(timeout=TIMEOUT_MS)
    page.close()
    return question_id


def test_progress_made_on_one_server_is_seen_on_the_other(
    sites: tuple[Site, Site], browser: Any, pg_url: str
) -> None:
    from widgets.records.store import open_store

    a, b = sites
    module = load_course().module(MODULE)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    try:
        home_a, home_b = _goto(context, a.url("home.ipynb")), _goto(context, b.url("home.ipynb"))
        first_session = _sign_in(home_a, "Lò Văn Thành")
        second_session = _sign_in(home_b, "Quàng Thị Mai")

        store = open_store(pg_url, data=a.log.parent / "data")
        # Pages carry only session tokens; the store knows whose they are.
        first = store.resume_session(first_session, timedelta(hours=2)).id
        second = store.resume_session(second_session, timedelta(hours=2)).id
        room = store.rooms.open_room("Hai máy chủ")
        store.rooms.join_room(room.code, first)
        store.rooms.join_room(room.code, second)

        on_a = _goto(context, a.url(module.notebook, f"session={first_session}"))
        on_b = _goto(context, b.url(module.notebook, f"session={second_session}"))
        answered = {first: _answer_first_question(on_a), second: _answer_first_question(on_b)}

        # Server B shows the progress made on server A.
        home = _goto(context, b.url("home.ipynb", f"session={first_session}"))
        progress = home.locator(".nk-progress")
        progress.wait_for(state="visible", timeout=TIMEOUT_MS)
        assert "Lò Văn Thành" in progress.inner_text()
        assert home.locator(f'.nk-progress li[data-module="{MODULE}"]').get_attribute("data-state") == (
            "in-progress"
        )
        home.close()

        # Both answers are in the one store.
        assert [x.question_id for x in store.answers(first)] == [answered[first]]
        assert [x.question_id for x in store.answers(second)] == [answered[second]]

        counted = 0
        for question_id in set(answered.values()):
            question = load_course().question(question_id)
            distribution = store.rooms.question_distribution(room.id, question)
            assert distribution.members == 2
            counted += distribution.answered
        assert counted == 2, "the room must count the answers made on both servers"
    finally:
        context.close()
