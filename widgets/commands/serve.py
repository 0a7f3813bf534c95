"""``neuguong serve [--mode learner|kiosk|trainer] [--port N] [--ip ADDR]``: start the site.

Voilà runs as a child process; once it answers, one Vietnamese line gives the site's address
and how to stop it. Ctrl+C reaches Voilà too (same terminal), which shuts its kernels down; a
SIGTERM (systemd, ``kill``) is passed on to it.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

from widgets.i18n import t
from widgets.resources import CONTENT_ENV
from widgets.site.launch import MODES, LaunchError, LaunchSpec, build_launch

DEFAULT_LISTEN = {"ip": "localhost", "port": 8866, "base_url": "/"}
"""Voilà's own defaults, for what the configuration file does not set."""
STOP_GRACE_S = 30.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help=t("cli.serve.help"),
        description=t("cli.serve.description"),
    )
    parser.add_argument("--mode", choices=MODES, default="learner", help=t("cli.serve.mode"))
    parser.add_argument("--port", type=int, help=t("cli.serve.port"))
    parser.add_argument("--ip", help=t("cli.serve.ip"))
    parser.add_argument("--data", type=Path, help=t("cli.serve.data"))
    parser.add_argument(
        "--content",
        type=Path,
        help=t("cli.serve.content"),
    )
    parser.add_argument("--dry-run", action="store_true", help=t("cli.serve.dry_run"))
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    environ = dict(os.environ)
    if args.content:
        content = args.content.expanduser().resolve()
        if not (content / "course.yml").is_file():
            print(f"neuguong serve: {content / 'course.yml'} does not exist", file=sys.stderr)
            return 2
        environ[CONTENT_ENV] = str(content)
    try:
        spec = build_launch(args.mode, port=args.port, ip=args.ip, data_dir=args.data, environ=environ)
    except LaunchError as exc:
        print(f"neuguong serve: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(spec.describe())
        return 0
    return supervise(spec)


def listen_address(spec: LaunchSpec) -> tuple[str, int, str]:
    """The ``(ip, port, base_url)`` Voilà will listen on: its command line, else the mode's
    configuration file (read as Voilà reads it), else Voilà's defaults."""
    values: dict[str, object] = dict(DEFAULT_LISTEN)
    saved = dict(os.environ)
    try:
        from traitlets.config.loader import PyFileConfigLoader

        os.environ.clear()
        os.environ.update(spec.env)  # the configuration reads the environment Voilà will have
        config = PyFileConfigLoader("voila.py", path=str(spec.config_dir)).load_config()
        values.update({key: config["Voila"][key] for key in DEFAULT_LISTEN if key in config.get("Voila", {})})
    except (Exception, SystemExit):  # a broken file stops Voilà itself, with its own message
        pass
    finally:
        os.environ.clear()
        os.environ.update(saved)
    for arg in spec.argv:
        for key in DEFAULT_LISTEN:
            prefix = f"--Voila.{key}="
            if arg.startswith(prefix):
                values[key] = arg.removeprefix(prefix)
    return str(values["ip"]), int(str(values["port"])), str(values["base_url"])


def site_url(ip: str, port: int, base_url: str) -> str:
    """The address to open on this machine (a wildcard address is reached on the loopback)."""
    host = "127.0.0.1" if ip in ("", "0.0.0.0", "localhost") else "[::1]" if ip == "::" else ip
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/{base_url.strip('/')}{'/' if base_url.strip('/') else ''}"


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether an HTTP server answers ``url`` (any status; redirects are not followed, so no
    page, and no kernel, is started)."""
    rest = url.removeprefix("http://")
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.rpartition(":")
    connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=timeout)
    try:
        connection.request("GET", "/" + path)
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


def supervise(spec: LaunchSpec, out: TextIO | None = None) -> int:
    """Run Voilà, say once where it answers, and return its exit status."""
    out = out or sys.stdout
    url = site_url(*listen_address(spec))
    ready = t("cli.serve.trainer_ready", url=url) if spec.mode == "trainer" else t("cli.serve.ready", url=url)
    print(t("cli.serve.starting", mode=spec.mode), file=out, flush=True)
    child = subprocess.Popen(list(spec.argv), env=spec.env)

    def forward(signum: int, _frame: FrameType | None) -> None:
        child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        announced = False
        while child.poll() is None:
            if not announced and answers(url):
                announced = child.poll() is None
                if announced:
                    print(ready, file=out, flush=True)
            time.sleep(0.5 if not announced else 1.0)
    except KeyboardInterrupt:
        # Voilà got the same Ctrl+C and is shutting its kernels down: wait for it.
        try:
            child.wait(timeout=STOP_GRACE_S)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            child.terminate()
    finally:
        signal.signal(signal.SIGTERM, previous)
    code = child.wait()
    return code if code >= 0 else 128 - code
