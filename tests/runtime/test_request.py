"""A preheated kernel waits for its request on Voilà's request-info websocket, once, and
without loading Voilà's server-side modules."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import tornado.web
import tornado.websocket

from widgets.runtime import request
from widgets.testing import free_port

KERNEL_ID = "0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"


@dataclass
class QueryServer:
    """A stand-in for Voilà's ``voila/query/<kernel id>`` handler."""

    port: int
    payload: dict[str, str]
    delay_s: float = 0.3
    opened: list[str] = field(default_factory=list)


@pytest.fixture
def query_server() -> Iterator[QueryServer]:
    server = QueryServer(
        free_port(), {"QUERY_STRING": "learner=abc-123&module=tong-quan", "SERVER_PORT": "1"}
    )
    ready = threading.Event()
    loop = asyncio.new_event_loop()

    class Handler(tornado.websocket.WebSocketHandler):
        async def open(self, kernel_id: str) -> None:  # type: ignore[override]
            server.opened.append(kernel_id)
            await asyncio.sleep(server.delay_s)  # the visitor arrives a little later
            await self.write_message(json.dumps(server.payload))

    def serve() -> None:
        asyncio.set_event_loop(loop)
        app = tornado.web.Application([(r"/voila/query/(.*)", Handler)])
        app.listen(server.port, address="127.0.0.1")
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    yield server
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def preheated_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    for name, value in {
        "VOILA_PREHEAT": "True",
        "VOILA_APP_IP": "127.0.0.1",
        "VOILA_APP_PORT": str(port),
        "VOILA_SERVER_URL": "/",
        "VOILA_KERNEL_ID": KERNEL_ID,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)


def test_waits_for_the_request_then_reads_it_once(query_server: QueryServer, monkeypatch: pytest.MonkeyPatch):
    preheated_env(monkeypatch, query_server.port)

    started = time.monotonic()
    params = request.query_params()

    assert params == {"learner": "abc-123", "module": "tong-quan"}
    assert time.monotonic() - started >= query_server.delay_s  # it waited for the visitor
    assert query_server.opened == [KERNEL_ID]
    assert request.query_params() == params  # a second call does not wait again
    assert query_server.opened == [KERNEL_ID]


def test_without_preheating_nothing_is_awaited(query_server: QueryServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "learner=x")

    assert request.query_params() == {"learner": "x"}
    assert query_server.opened == []


def test_an_unreachable_server_gives_an_empty_request(monkeypatch: pytest.MonkeyPatch):
    preheated_env(monkeypatch, free_port())  # nothing listens there

    assert request.query_params() == {}


def test_the_kernel_does_not_load_voilas_server_modules():
    code = (
        "import os, sys\n"
        "os.environ.update(VOILA_PREHEAT='True', VOILA_APP_PORT='1', VOILA_KERNEL_ID='k')\n"
        "from widgets.runtime.request import query_params\n"
        "query_params()\n"
        "print(sorted(m for m in ('voila', 'jupyter_server', 'jupyterlab_server') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)

    assert out.stdout.strip() == "[]"
