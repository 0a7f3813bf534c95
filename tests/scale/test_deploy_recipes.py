"""The deployment recipes in ``deploy/`` are valid and do what they say.

* JupyterHub: the Zero to JupyterHub ``values.yaml`` parses and runs the learner site as each
  user's server; the TLJH snippet compiles and configures the spawner; the TLJH install
  script is valid bash; the per-user launcher keeps the user's URL prefix, and behind a
  proxy that strips the prefix (as jupyter-standaloneproxy does) the page's links and its
  kernel websocket work.
* nginx: ``deploy/nginx/neuguong.conf`` passes ``nginx -t``; in front of two real learner
  replicas it asks for the password, keeps each learner on the replica that runs their page's
  kernel (the route cookie), carries the kernel websocket, and refuses notebooks and other
  files under ``/voila/files``.

nginx tests are skipped without nginx, unless ``NEUGUONG_REQUIRE_NGINX=1``.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
import yaml
from scale_servers import (
    HUB_LAUNCHER,
    REPO,
    free_port,
    hub_site,
    learner_site,
    main_config,
    nginx_binary,
    nginx_start,
    nginx_test,
    site_config,
    spawn,
    wait_http,
)
from traitlets.config import Config

HUB = REPO / "deploy" / "jupyterhub"
KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]+)"')
AUTH = "Basic " + base64.b64encode(b"hocvien:mat-khau-thu").decode()


# ---- JupyterHub ------------------------------------------------------------------------------


def test_z2jh_values_run_the_learner_site_as_each_users_server() -> None:
    values = yaml.safe_load((HUB / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    single = values["singleuser"]
    cmd = single["cmd"]
    assert cmd[0] == "/opt/neuguong-proxy/bin/jupyter-standaloneproxy"
    launcher = cmd.index("/opt/neuguong/deploy/jupyterhub/neuguong_voila.py")
    assert "--" in cmd[:launcher], "the site's command comes after the proxy's options"
    assert "--port={port}" in cmd[launcher:] and "--base-url={base_url}" in cmd[launcher:]
    assert single["defaultUrl"] is None
    assert single["extraEnv"]["NEUGUONG_DB_URL"]["valueFrom"]["secretKeyRef"]["key"] == "db-url"
    assert single["extraEnv"]["NEUGUONG_PREHEAT"] == "0"
    assert single["storage"]["type"] == "none"
    assert (
        values["hub"]["config"]["JupyterHub"]["default_url"] == "/hub/user-redirect/voila/render/home.ipynb"
    )
    assert values["cull"]["enabled"] is True and values["cull"]["timeout"] > 0
    dockerfile = (HUB / "z2jh" / "Dockerfile").read_text(encoding="utf-8")
    assert '"jupyter-server-proxy[standalone]>=4.5,<5"' in dockerfile
    assert "jhsingle" not in dockerfile.split("replaces jhsingle-native-proxy")[1]


def test_tljh_snippet_compiles_and_configures_the_spawner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / "neuguong.env"
    env_file.write_text(
        "NEUGUONG_DB_URL='postgresql+psycopg://u:p@db:5432/neuguong'\nNEUGUONG_HOSTNAMES=hoc.example.gov.vn\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NEUGUONG_TLJH_ENV_FILE", str(env_file))
    path = HUB / "tljh" / "jupyterhub_config.d" / "neuguong.py"
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    c = Config()
    c.Spawner.default_url = "/lab"  # what TLJH sets before the snippets run
    exec(code, {"get_config": lambda: c, "__file__": str(path)})
    assert c.Spawner.cmd[0] == "/opt/neuguong-proxy/bin/jupyter-standaloneproxy"
    launcher = c.Spawner.cmd.index("/opt/neuguong/deploy/jupyterhub/neuguong_voila.py")
    assert "--" in c.Spawner.cmd[:launcher]
    assert "--port={port}" in c.Spawner.cmd and "--base-url={base_url}" in c.Spawner.cmd
    assert c.Spawner.default_url == ""
    assert c.JupyterHub.default_url == "/hub/user-redirect/voila/render/home.ipynb"
    assert c.Spawner.environment["NEUGUONG_DB_URL"] == "postgresql+psycopg://u:p@db:5432/neuguong"
    assert c.Spawner.environment["NEUGUONG_HOSTNAMES"] == "hoc.example.gov.vn"
    assert c.Spawner.environment["NEUGUONG_PREHEAT"] == "0"


def test_tljh_install_script_is_valid_bash() -> None:
    script = HUB / "tljh" / "install.sh"
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    text = script.read_text(encoding="utf-8")
    for setting in ("services.cull.timeout", "services.cull.max_age", "limits.memory"):
        assert f"tljh-config set {setting}" in text


def test_hub_launcher_keeps_the_users_prefix(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(HUB_LAUNCHER), "--port=9123", "--base-url=/user/lo-van-a", f"--data={tmp_path}",
         "--dry-run", "--debug", "--notebook-dir=/home/lo-van-a"],  # the last two: what a spawner appends
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "ignoring the spawner's options ['--debug', '--notebook-dir=/home/lo-van-a']" in done.stderr
    argv = done.stdout.splitlines()[0].split()
    assert "--Voila.base_url=/user/lo-van-a/" in argv
    assert "--Voila.server_url=/" in argv
    assert "--Voila.ip=127.0.0.1" in argv and "--Voila.port=9123" in argv
    assert any(a.endswith("deploy/voila/learner") for a in argv), argv


# ---- nginx ------------------------------------------------------------------------------------


def test_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    binary = nginx_binary()
    site = site_config(tmp_path, upstreams=[8866, 8868], http_port=free_port(), https_port=free_port())
    done = nginx_test(binary, main_config(tmp_path, site))
    assert done.returncode == 0, done.stderr


def _insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET", body: bytes | None = None):  # type: ignore[no-untyped-def]
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=body)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=_insecure()), _NoRedirect)
    try:
        with opener.open(request, timeout=180) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def started(stack: contextlib.ExitStack, proc: Any) -> Any:
    """Stop ``proc`` when the test ends, whatever happens."""
    stack.callback(proc.stop)
    return proc


def _wait_nginx(nginx: Any, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nginx.process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{nginx.tail()}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nginx did not answer {url}")


def _kernel_info(ws_url: str, headers: list[str], origin: str | None = None) -> str:
    """Open the kernel websocket and get a kernel_info_reply (the kernel exists there).
    ``origin``: send it as a browser does (else no Origin header)."""
    import websocket

    ws = websocket.create_connection(
        ws_url, header=headers, sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=60,
        **({"origin": origin} if origin else {"suppress_origin": True}),
    )  # fmt: skip
    try:
        msg_id = uuid.uuid4().hex
        ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": "t",
                        "session": uuid.uuid4().hex,
                        "msg_type": "kernel_info_request",
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {},
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        for _ in range(50):
            reply = json.loads(ws.recv())
            if (
                reply.get("parent_header", {}).get("msg_id") == msg_id
                and reply["msg_type"] == "kernel_info_reply"
            ):
                return str(reply["content"]["status"])
        return "no reply"
    finally:
        ws.close()


@pytest.mark.slow
def test_nginx_keeps_each_learner_on_the_replica_of_their_kernel(tmp_path: Path) -> None:
    binary = nginx_binary()
    with contextlib.ExitStack() as stack:
        a = started(stack, learner_site("A", tmp_path / "a"))
        b = started(stack, learner_site("B", tmp_path / "b"))
        https_port = free_port()
        folder = tmp_path / "nginx"
        site = site_config(folder, upstreams=[a.port, b.port], http_port=free_port(), https_port=https_port)
        nginx = started(stack, nginx_start(binary, main_config(folder, site), https_port))
        for replica in (a, b):
            wait_http(
                replica, f"http://127.0.0.1:{replica.port}/voila/templates/neuguong/static/neuguong.css"
            )
        base = f"https://127.0.0.1:{https_port}"
        _wait_nginx(nginx, base + "/")
        status, _, _ = _get(base + "/voila/render/home.ipynb")
        assert status == 401, "no password, no page"

        served_by: list[str] = []
        for _ in range(3):  # each learner: a new browser (no cookie yet)
            status, body, headers = _get(base + "/voila/render/home.ipynb", {"Authorization": AUTH})
            assert status == 200
            kernel = KERNEL_ID.search(body.decode()).group(1)  # type: ignore[union-attr]
            cookie = SimpleCookie()
            for value in headers.get_all("Set-Cookie") or []:
                cookie.load(value)
            route = cookie["nk_route"].value
            jar = f"nk_route={route}"
            ws = f"wss://127.0.0.1:{https_port}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
            for _ in range(3):  # the websocket and status always reach the kernel's replica
                assert _kernel_info(ws, [f"Authorization: {AUTH}", f"Cookie: {jar}"]) == "ok"
                status, _, _ = _get(f"{base}/api/kernels/{kernel}", {"Authorization": AUTH, "Cookie": jar})
                assert status == 200
            xsrf = uuid.uuid4().hex
            status, _, _ = _get(
                f"{base}/voila/api/shutdown/{kernel}",
                {"Authorization": AUTH, "Cookie": f"{jar}; _xsrf={xsrf}",
                 "Content-Type": "application/x-www-form-urlencoded"},
                method="POST", body=f"_xsrf={xsrf}".encode(),
            )  # fmt: skip
            assert status in (200, 204), status
            served_by.append(route)
        assert len(set(served_by)) == 3, "each new browser gets its own route cookie"

        for path in ("voila/files/home.ipynb", "voila/files/records.sqlite", "voila/files/x.sqlite-wal",
                     "voila/api/contents", "api/kernels", "lab", "voila/files/../home.ipynb"):  # fmt: skip
            status, _, _ = _get(f"{base}/{path}", {"Authorization": AUTH})
            assert status in (403, 404), (path, status)
        status, _, headers = _get(base + "/", {"Authorization": AUTH})
        assert status == 302 and headers["Location"].endswith("/voila/render/home.ipynb")

        # /voila/query/ is the kernel's own loopback route (registered when kernels are
        # preheated, as in production): nginx itself refuses it, it never reaches a replica.
        status, body, _ = _get(f"{base}/voila/query/{kernel}", {"Authorization": AUTH, "Cookie": jar})
        assert status == 404 and b"<center>nginx" in body

        _check_static_files(base)
        _check_rate_limit_per_browser(base)


def _check_static_files(base: str) -> None:
    """Static files: compressed; a year in the browser's cache when versioned (?v=)."""
    css = f"{base}/voila/templates/neuguong/static/neuguong.css"
    status, plain, _ = _get(css, {"Authorization": AUTH})
    assert status == 200
    status, body, headers = _get(f"{css}?v=0123abcd", {"Authorization": AUTH, "Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == plain and len(body) < len(plain) / 2
    assert "Accept-Encoding" in (headers.get("Vary") or "")
    assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    status, _, headers = _get(css, {"Authorization": AUTH})
    assert "immutable" not in (headers.get("Cache-Control") or ""), "unversioned files are not pinned"


def _check_rate_limit_per_browser(base: str) -> None:
    """A reload storm from one browser gets the Vietnamese 429 page; another browser behind
    the same address (a room behind one NAT) is not held back by it. A missing notebook is
    used so that no request starts a kernel."""
    page = f"{base}/voila/render/khong-co-trang-nay.ipynb"
    storm = [_get(page, {"Authorization": AUTH, "Cookie": "nk_route=hoc-vien-a"}) for _ in range(30)]
    refused = [(body, headers) for status, body, headers in storm if status == 429]
    assert refused, [status for status, _, _ in storm]
    assert storm[0][0] != 429, "the first loads pass"
    body, headers = refused[0]
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    text = body.decode("utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert '<html lang="vi">' in text and "Máy chủ đang bận, vui lòng chờ một chút" in text
    assert headers["Retry-After"] == "10"
    status, _, _ = _get(page, {"Authorization": AUTH, "Cookie": "nk_route=hoc-vien-b"})
    assert status != 429, "another browser from the same address still gets in"


@pytest.mark.slow
def test_hub_launcher_behind_a_prefix_stripping_proxy(tmp_path: Path) -> None:
    """What jupyter-standaloneproxy does in front of a user's server: /user/<name>/x → /x."""
    binary = nginx_binary()
    prefix = "/user/lo-van-a/"
    port = free_port()
    folder = tmp_path / "nginx"
    folder.mkdir()
    with contextlib.ExitStack() as stack:
        site = started(stack, hub_site(tmp_path / "hub", prefix))
        conf_site = folder / "site.conf"
        conf_site.write_text(
            "map $http_upgrade $up { default upgrade; '' close; }\n"
            f"server {{ listen 127.0.0.1:{port};\n"
            f"  location {prefix} {{ proxy_pass http://127.0.0.1:{site.port}/; proxy_http_version 1.1;\n"
            "    proxy_set_header Host $http_host; proxy_set_header Upgrade $http_upgrade;\n"
            "    proxy_set_header Connection $up; proxy_read_timeout 300s; }\n}\n",
            encoding="utf-8",
        )
        nginx = started(stack, nginx_start(binary, main_config(folder, conf_site), port))
        wait_http(site, f"http://127.0.0.1:{site.port}/voila/templates/neuguong/static/neuguong.css")
        _wait_nginx(nginx, f"http://127.0.0.1:{port}{prefix}voila/templates/neuguong/static/neuguong.css")
        status, body, _ = _get(f"http://127.0.0.1:{port}{prefix}voila/render/home.ipynb")
        assert status == 200
        html = body.decode()
        assert f'"baseUrl": "{prefix}"' in html
        sources = re.findall(r'(?:src|href)="(/[^"]*)"', html)
        assert sources and all(s.startswith(prefix) for s in sources), sources
        kernel = KERNEL_ID.search(html).group(1)  # type: ignore[union-attr]
        ws = f"ws://127.0.0.1:{port}{prefix}api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
        assert _kernel_info(ws, []) == "ok"


def standalone_proxy() -> str:
    """``jupyter-standaloneproxy`` (jupyter-server-proxy[standalone] >= 4.5 with jupyterhub, in
    an environment of its own, as in production): ``$NEUGUONG_STANDALONE_PROXY`` or PATH."""
    found = os.environ.get("NEUGUONG_STANDALONE_PROXY") or shutil.which("jupyter-standaloneproxy")
    if not found:
        pytest.skip(
            "no jupyter-standaloneproxy: python3 -m venv V && V/bin/pip install "
            "'jupyter-server-proxy[standalone]>=4.5,<5' 'jupyterhub==5.*'; "
            "NEUGUONG_STANDALONE_PROXY=V/bin/jupyter-standaloneproxy"
        )
    return found


@pytest.mark.slow
def test_hub_launcher_behind_jupyter_standaloneproxy(tmp_path: Path) -> None:
    """The real proxy of the JupyterHub recipes, with the spawner's command (Hub login off:
    no Hub here): it starts the site on the first request, strips the user's prefix, and
    carries the kernel websocket opened with a browser's Origin (tornado 6.6)."""
    proxy = standalone_proxy()
    prefix = "/user/lo-van-a/"
    port = free_port()
    env = {**os.environ, "JUPYTERHUB_SERVICE_PREFIX": prefix, "NEUGUONG_PREHEAT": "0",
           "NEUGUONG_DATA": str(tmp_path / "data")}  # fmt: skip
    values = yaml.safe_load((HUB / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    cmd = [sys.executable if a == "/opt/neuguong-env/bin/python" else a for a in values["singleuser"]["cmd"]]
    cmd = [str(HUB_LAUNCHER) if a.endswith("/neuguong_voila.py") else a for a in cmd]
    argv = [proxy, "--no-authentication", "--address=127.0.0.1", f"--port={port}", *cmd[1:]]
    with contextlib.ExitStack() as stack:
        site = started(stack, spawn("standaloneproxy", argv, env, tmp_path / "proxy.log", port))
        base = f"http://127.0.0.1:{port}{prefix}"
        _wait_nginx(site, base)
        status, body, _ = _get(base + "voila/render/home.ipynb")
        assert status == 200, site.tail()
        html = body.decode()
        assert f'"baseUrl": "{prefix}"' in html
        sources = re.findall(r'(?:src|href)="(/[^"]*)"', html)
        assert sources and all(s.startswith(prefix) for s in sources), sources
        kernel = KERNEL_ID.search(html).group(1)  # type: ignore[union-attr]
        ws = f"ws://127.0.0.1:{port}{prefix}api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
        assert _kernel_info(ws, [], origin=f"http://127.0.0.1:{port}") == "ok"
        status, _, _ = _get(f"http://127.0.0.1:{port}/user/someone-else/voila/render/home.ipynb")
        assert status == 404, "only the user's own prefix is served"
