"""``widgets.site.app``: the kit's Voilà, served in-process (no kernel is started).

Each test builds the real tornado application from a mode's configuration (as
``neuguong serve`` would, preheating off) and talks HTTP to it on a loopback port.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import re
import signal
import sqlite3
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tornado.httpclient
import tornado.httpserver
import tornado.netutil

from widgets import __version__
from widgets.records.health import check_store
from widgets.site.app import NeuguongVoila
from widgets.site.launch import SHARE_JUPYTER, build_launch

from db_backends import PG_URL, pg_available

TEMPLATE_STATIC = SHARE_JUPYTER / "voila" / "templates" / "neuguong" / "static"
PASSED_ENV = (
    "JUPYTER_PATH",
    "NEUGUONG_DATA",
    "NEUGUONG_SITE_MODE",
    "TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR",
)

Response = tornado.httpclient.HTTPResponse


def make_site(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...] = ()
) -> NeuguongVoila:
    """The application ``neuguong serve --mode <mode>`` would run, initialised, not started."""
    monkeypatch.setenv("NEUGUONG_TRAINER_TOKEN", "a-trainer-token-for-tests")
    monkeypatch.setenv("NEUGUONG_PREHEAT", "0")
    monkeypatch.delenv("NEUGUONG_DB_URL", raising=False)
    spec = build_launch(mode, data_dir=tmp_path / "data")
    for name in PASSED_ENV:
        monkeypatch.setenv(name, spec.env[name])
    assert spec.argv[1:3] == ("-m", "widgets.site")
    connections = tmp_path / "connections"
    connections.mkdir()
    site = NeuguongVoila()
    previous = signal.getsignal(signal.SIGTERM)
    try:
        site.initialize([*spec.argv[3:], f"--Voila.connection_dir_root={connections}", *extra])
    finally:
        signal.signal(signal.SIGTERM, previous)  # Voilà installs its own
    return site


def fetch(site: NeuguongVoila, requests: list[tuple[str, dict[str, str]]]) -> list[Response]:
    """Serve ``site`` on a free loopback port and GET each (path, headers); no redirects
    followed, bodies left compressed."""

    async def run() -> list[Response]:
        app = site.build_app()
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        port = sockets[0].getsockname()[1]
        client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        try:
            return [
                await client.fetch(
                    f"http://127.0.0.1:{port}{path}",
                    headers=headers,
                    follow_redirects=False,
                    raise_error=False,
                    decompress_response=False,
                    request_timeout=60,
                )
                for path, headers in requests
            ]
        finally:
            client.close()
            server.stop()

    return asyncio.run(run())


def get(site: NeuguongVoila, path: str, **headers: str) -> Response:
    return fetch(site, [(path, headers)])[0]


@pytest.fixture
def make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], NeuguongVoila]:
    return lambda mode, *extra: make_site(mode, tmp_path, monkeypatch, extra)


@pytest.mark.parametrize(
    ("mode", "home"),
    [
        ("learner", "/voila/render/home.ipynb"),
        ("kiosk", "/voila/render/home.ipynb"),
        ("trainer", "/voila/render/dashboard.ipynb"),
    ],
)
def test_root_redirects_to_the_modes_home_keeping_the_query(make: Any, mode: str, home: str):
    site = make(mode)

    bare, with_query = fetch(site, [("/", {}), ("/?learner=abc&x=1", {})])

    assert bare.code == 302 and bare.headers["Location"] == home
    assert with_query.code == 302 and with_query.headers["Location"] == f"{home}?learner=abc&x=1"
    assert "no-store" in bare.headers["Cache-Control"]


def test_behind_a_prefix_stripping_proxy_the_redirect_keeps_the_public_prefix(make: Any):
    """JupyterHub (deploy/jupyterhub/neuguong_voila.py): routes at ``server_url`` ``/``,
    links under ``base_url`` ``/user/an/``."""
    site = make("learner", "--Voila.base_url=/user/an/", "--Voila.server_url=/")

    root, health = fetch(site, [("/?learner=x", {}), ("/healthz", {})])

    assert root.headers["Location"] == "/user/an/voila/render/home.ipynb?learner=x"
    assert health.code == 200


def test_trainer_home_exists_in_its_site(make: Any):
    site = make("trainer")

    home = site.home_url.removeprefix("/voila/render/")
    assert (Path(site.root_dir) / home).is_file()


@pytest.mark.parametrize("mode", ["learner", "trainer"])
def test_health_check_answers_without_a_kernel_or_token(make: Any, mode: str):
    site = make(mode)

    response = get(site, "/healthz")

    assert response.code == 200
    body = json.loads(response.body)
    assert body["status"] == "ok"
    assert body["mode"] == mode
    assert body["version"] == __version__
    assert body["store"].startswith("sqlite")
    assert response.headers["Cache-Control"] == "no-store"
    assert list(Path(site.connection_dir).glob("kernel-*.json")) == []


def test_health_check_fails_when_the_store_cannot_be_opened(make: Any, tmp_path: Path):
    site = make("learner")
    (tmp_path / "data" / "records.sqlite").write_bytes(b"not a database" * 100)

    response = get(site, "/healthz")

    assert response.code == 503
    assert json.loads(response.body)["status"] == "error"


def test_store_check_reads_an_existing_store(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    assert check_store(data, None) == (True, "sqlite (not created yet)")

    with sqlite3.connect(data / "records.sqlite") as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER)")
    assert check_store(data, None) == (True, "sqlite")

    ok, why = check_store(tmp_path / "missing", None)
    assert not ok and "missing" in why


def test_store_check_reaches_postgresql():
    pg_available()
    assert check_store(Path("/nonexistent"), PG_URL) == (True, "postgresql")

    ok, why = check_store(Path(), "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not ok and why.startswith("postgresql")


def versioned(relative: str) -> str:
    """The template's static URL with tornado's ``?v=`` content hash, as pages link it."""
    digest = hashlib.sha512((TEMPLATE_STATIC / relative).read_bytes()).hexdigest()
    return f"/voila/templates/neuguong/static/{relative}?v={digest}"


def test_versioned_static_files_are_gzipped_and_cached_for_long(make: Any):
    site = make("learner")
    css = (TEMPLATE_STATIC / "neuguong.css").read_bytes()

    long_lived, plain, identity = fetch(
        site,
        [
            (versioned("neuguong.css"), {"Accept-Encoding": "gzip"}),
            ("/voila/templates/neuguong/static/neuguong.css", {"Accept-Encoding": "gzip"}),
            (versioned("neuguong.css"), {}),
        ],
    )

    assert long_lived.code == 200
    assert long_lived.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(long_lived.body) == css  # nothing lost
    assert len(long_lived.body) < len(css) / 2
    max_age = int(long_lived.headers["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert max_age >= 30 * 24 * 3600
    assert "max-age" not in plain.headers.get("Cache-Control", "")
    assert identity.headers.get("Content-Encoding") is None and identity.body == css


def test_widget_manager_chunks_with_a_version_are_cached_for_long(make: Any):
    site = make("learner")
    manager = Path("@jupyter-widgets") / "jupyterlab-manager" / "static"
    extension = next(Path(p) / manager for p in site.labextensions_path if (Path(p) / manager).is_dir())
    chunk = next(p for p in sorted(extension.glob("*.js")) if not p.name.startswith("remoteEntry"))
    path = f"/voila/labextensions/@jupyter-widgets/jupyterlab-manager/static/{chunk.name}"

    versioned_chunk, unversioned = fetch(
        site, [(f"{path}?v=abc123", {"Accept-Encoding": "gzip"}), (path, {"Accept-Encoding": "gzip"})]
    )

    assert versioned_chunk.code == 200
    assert "max-age=31536000" in versioned_chunk.headers["Cache-Control"]
    assert versioned_chunk.headers["Content-Encoding"] == "gzip"
    assert unversioned.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(("mode", "home"), [("learner", "home.ipynb"), ("trainer", "dashboard.ipynb")])
def test_error_pages_are_vietnamese_and_link_the_modes_home(make: Any, mode: str, home: str):
    site = make(mode)

    response = get(site, "/no/such/address", Authorization="token a-trainer-token-for-tests")

    html = response.body.decode("utf-8")
    assert response.code == 404
    assert "Không tìm thấy trang" in html
    assert f'class="nk-error-page__home" href="/voila/render/{home}"' in html


def test_trainer_site_without_its_token_asks_for_it_in_vietnamese(make: Any):
    """Not jupyter_server's English login page ("jupyter server list"): one Vietnamese field,
    posted to jupyter_server's own login handler, which still checks the token."""
    site = make("trainer")

    page, *_ = fetch(site, [("/voila/render/dashboard.ipynb", {})])
    assert page.code == 302 and "/login?next=" in page.headers["Location"]
    form = get(site, page.headers["Location"])
    html = form.body.decode("utf-8")
    assert form.code == 200
    assert '<html lang="vi">' in html and "Mã truy cập" in html and 'name="password"' in html
    assert "jupyter server list" not in html and "Token authentication" not in html
    assert 'name="_xsrf"' in html  # the form can be posted to jupyter_server's handler


def test_trainer_login_form_refuses_a_wrong_token_and_takes_the_right_one(make: Any):
    site = make("trainer")

    async def run() -> tuple[Response, Response]:
        app = site.build_app()
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        base = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
        client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        try:
            form = await client.fetch(f"{base}/login", raise_error=False)
            cookie = "; ".join(c.split(";")[0] for c in form.headers.get_list("Set-Cookie"))
            xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.body.decode("utf-8"))
            assert xsrf, form.body[:400]

            async def post(password: str) -> Response:
                body = urllib.parse.urlencode({"_xsrf": xsrf.group(1), "password": password})
                return await client.fetch(
                    f"{base}/login?next=%2Fvoila%2Frender%2Fdashboard.ipynb",
                    method="POST",
                    body=body,
                    headers={"Cookie": cookie},
                    follow_redirects=False,
                    raise_error=False,
                )

            return await post("not-the-token"), await post("a-trainer-token-for-tests")
        finally:
            client.close()
            server.stop()

    wrong, right = asyncio.run(run())
    assert wrong.code == 401 and "Mã không đúng" in wrong.body.decode("utf-8")
    assert right.code == 302 and right.headers["Location"] == "/voila/render/dashboard.ipynb"
