"""Real learner Voilà servers and nginx for the scale and deployment tests (not a test module)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from widgets.testing import free_port, stop_process_group

REPO = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO / "deploy" / "nginx" / "neuguong.conf"
HUB_LAUNCHER = REPO / "deploy" / "jupyterhub" / "neuguong_voila.py"


@dataclass
class Proc:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def stop(self) -> None:
        stop_process_group(self.process)


def spawn(name: str, argv: Sequence[str], env: dict[str, str], log: Path, port: int) -> Proc:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(argv), env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    return Proc(name, port, process, log)


def learner_site(name: str, work: Path, env: dict[str, str] | None = None) -> Proc:
    """``build_launch("learner")`` on a free loopback port, own data folder, no pool."""
    from widgets.site.launch import build_launch

    environ = {**os.environ, "NEUGUONG_PREHEAT": "0", **(env or {})}
    environ.pop("NEUGUONG_DATA", None)
    port = free_port()
    (work / "connections").mkdir(parents=True, exist_ok=True)
    spec = build_launch(
        "learner",
        port=port,
        ip="127.0.0.1",
        data_dir=work / "data",
        environ=environ,
        extra_args=(f"--Voila.connection_dir_root={work / 'connections'}",),
    )
    return spawn(name, spec.argv, spec.env, work / "voila.log", port)


def hub_site(work: Path, prefix: str) -> Proc:
    """The learner site as a JupyterHub user's server would start it (our launcher)."""
    port = free_port()
    env = {**os.environ, "NEUGUONG_PREHEAT": "0", "NEUGUONG_DATA": str(work / "data")}
    argv = [sys.executable, str(HUB_LAUNCHER), f"--port={port}", f"--base-url={prefix}"]
    return spawn("hub", argv, env, work / "voila.log", port)


def wait_http(proc: Proc, url: str, timeout: float = 90.0, ok: Sequence[int] = (200,)) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                if response.status in ok:
                    return
        except urllib.error.HTTPError as error:
            if error.code in ok:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{proc.name} did not answer {url}:\n{proc.tail()}")


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        if os.environ.get("NEUGUONG_REQUIRE_NGINX") == "1":
            pytest.fail("nginx not found (NEUGUONG_REQUIRE_NGINX=1)", pytrace=False)
        pytest.skip("nginx not found (apt-get install nginx)")
    return found


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def htpasswd(folder: Path, user: str, password: str) -> Path:
    hashed = subprocess.run(
        ["openssl", "passwd", "-apr1", password], check=True, capture_output=True, text=True
    ).stdout.strip()
    path = folder / "htpasswd"
    path.write_text(f"{user}:{hashed}\n", encoding="utf-8")
    return path


def site_config(folder: Path, *, upstreams: Sequence[int], http_port: int, https_port: int) -> Path:
    """``deploy/nginx/neuguong.conf`` with the placeholders replaced for this machine: the
    certificate, the password file, the replica ports and the listening ports. Nothing else
    changes."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(folder)
    passwords = htpasswd(folder, "hocvien", "mat-khau-thu")
    text = NGINX_CONF.read_text(encoding="utf-8")
    replacements = {
        "/etc/ssl/neuguong/fullchain.pem": str(cert),
        "/etc/ssl/neuguong/privkey.pem": str(key),
        "/etc/nginx/neuguong.htpasswd": str(passwords),
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "root /etc/nginx/neuguong;": f"root {NGINX_CONF.parent};",  # 429.html
    }
    for old, new in replacements.items():
        assert old in text, f"placeholder {old!r} is gone from {NGINX_CONF.name}"
        text = text.replace(old, new)
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=30s;\n" for port in upstreams)
    start = text.index("    server 127.0.0.1:8866")
    end = text.index("    keepalive 32;")
    text = text[:start] + servers + text[end:]
    site = folder / "site.conf"
    site.write_text(text, encoding="utf-8")
    return site


def main_config(folder: Path, site: Path) -> Path:
    """A minimal nginx.conf around an http-level site file, everything under ``folder``."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the temp files
    conf = folder / "nginx.conf"
    conf.write_text(
        f"{user}pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\nworker_processes 1;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"    access_log {folder / 'access.log'};\n"
        f"    client_body_temp_path {folder / 'body'};\n    proxy_temp_path {folder / 'proxy'};\n"
        f"    fastcgi_temp_path {folder / 'fastcgi'};\n    uwsgi_temp_path {folder / 'uwsgi'};\n"
        f"    scgi_temp_path {folder / 'scgi'};\n"
        f"    include {site};\n"
        "}\n",
        encoding="utf-8",
    )
    return conf


def nginx_test(binary: str, conf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "-t", "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )


def nginx_start(binary: str, conf: Path, port: int) -> Proc:
    argv = [binary, "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "error.log"),
            "-g", "daemon off;"]  # fmt: skip
    return spawn("nginx", argv, dict(os.environ), conf.parent / "nginx.out", port)
