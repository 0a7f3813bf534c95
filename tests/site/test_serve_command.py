"""``neuguong serve`` says, in Vietnamese, where the site is once it answers, and stops on Ctrl+C."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from widgets.commands.serve import listen_address, site_url
from widgets.i18n import t
from widgets.site.launch import build_launch

START_TIMEOUT_S = 240  # a loaded 2-core machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_address_comes_from_the_command_line_then_the_configuration(tmp_path: Path) -> None:
    assert listen_address(build_launch("learner", data_dir=tmp_path)) == ("127.0.0.1", 8866, "/")
    assert listen_address(build_launch("kiosk", port=8900, data_dir=tmp_path))[1] == 8900
    env = {**os.environ, "NEUGUONG_TRAINER_TOKEN": "t" * 16}
    assert listen_address(build_launch("trainer", data_dir=tmp_path, environ=env))[1] == 8867
    assert site_url("127.0.0.1", 8866, "/") == "http://127.0.0.1:8866/"
    assert site_url("0.0.0.0", 80, "/hoc/") == "http://127.0.0.1:80/hoc/"
    assert site_url("::", 8866, "/") == "http://[::1]:8866/"


@pytest.mark.slow
def test_serve_prints_the_address_once_it_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "NEUGUONG_PREHEAT": "0", "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-m", "widgets", "serve", "--port", str(port), "--data", str(tmp_path / "data")]
    proc = subprocess.Popen(
        argv,
        cwd=tmp_path,  # any folder
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        # Ctrl+C must not be ignored (a background job of a non-interactive shell ignores it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        assert proc.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(x.strip()) for x in proc.stdout], daemon=True).start()
        assert lines.get(timeout=60) == t("cli.serve.starting", mode="learner")
        line = lines.get(timeout=START_TIMEOUT_S)  # printed once Voilà answers
        assert line == t("cli.serve.ready", url=url)
        assert "Ctrl+C" in line and "sẵn sàng" in line
        # It answers now: the root (no redirect followed, so no kernel is started).
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            status = opener.open(url, timeout=30).status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status < 500
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C does in a terminal
        assert proc.wait(timeout=90) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
