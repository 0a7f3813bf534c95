"""A preheated kernel waits for its request on Voilà's request-info websocket, once, and
without loading Voilà's server-side modules. ``widgets/runtime/request.py`` re-implements
``voila.utils.wait_for_request``; the last tests name the parts of Voilà it must agree with
(``ENV_VARIABLE``, the ``voila/query/<kernel id>`` route of ``RequestInfoSocketHandler``, the
URL built from the kernel's variables) and fail with the Voilà version that changed them."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version

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


def changed(what: str) -> str:
    return (
        f"voila {version('voila')} changed {what}, which widgets/runtime/request.py re-implements "
        "(a preheated page would render without its request): adapt the shim before raising "
        "voila's upper pin in pyproject.toml"
    )


READ = ("VOILA_PREHEAT", "VOILA_KERNEL_ID", "VOILA_SERVER_URL", "VOILA_APP_IP", "VOILA_APP_PORT")
READ += ("VOILA_WS_PROTOCOL", "VOILA_WS_BASE_URL")


def test_voila_still_names_the_variables_the_shim_reads() -> None:
    from voila.utils import ENV_VARIABLE

    for name in READ:
        assert name in ENV_VARIABLE.__members__, changed(f"voila.utils.ENV_VARIABLE (no {name})")


@pytest.mark.parametrize(
    "extra",
    [{}, {"VOILA_WS_BASE_URL": "/ws/", "VOILA_WS_PROTOCOL": "wss", "VOILA_APP_IP": "[::1]"}],
    ids=["defaults", "proxied"],
)
def test_the_shim_asks_where_voilas_own_helper_asks(
    monkeypatch: pytest.MonkeyPatch, extra: dict[str, str]
) -> None:
    """``voila.utils.wait_for_request`` (with its private ``_get_request_info`` replaced, so no
    server is needed) and ``request_info_url`` read the same variables into the same URL."""
    from voila import utils

    asked: list[str] = []

    async def answer(url: str) -> str:
        asked.append(url)
        return json.dumps({"QUERY_STRING": "a=1"})

    assert callable(getattr(utils, "_get_request_info", None)), changed("voila.utils._get_request_info")
    monkeypatch.setattr(utils, "_get_request_info", answer)
    preheated_env(monkeypatch, 18866)
    monkeypatch.delenv("VOILA_WS_PROTOCOL", raising=False)
    monkeypatch.setenv("VOILA_SERVER_URL", "/base/")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)

    utils.wait_for_request()

    assert asked == [request.request_info_url()], changed("the request-info URL wait_for_request builds")
    assert os.environ["QUERY_STRING"] == "a=1", changed(
        "the request-info message (a JSON object of variables)"
    )


def test_voila_serves_request_info_per_kernel_on_its_query_route() -> None:
    """The server side of the protocol: ``RequestInfoSocketHandler`` on ``voila/query/<kernel
    id>``, which sends the request's variables once a visitor is given the kernel."""
    from voila import app, request_info_handler

    handler = getattr(request_info_handler, "RequestInfoSocketHandler", None)
    assert handler is not None, changed("voila.request_info_handler.RequestInfoSocketHandler")
    assert callable(getattr(handler, "send_updates", None)), changed("RequestInfoSocketHandler.send_updates")
    source = inspect.getsource(app.Voila)
    assert '"/voila/query/%s"' in source and "RequestInfoSocketHandler" in source, changed(
        "the voila/query/<kernel id> route"
    )
