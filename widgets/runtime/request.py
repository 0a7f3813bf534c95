"""What the page was asked for: Voila puts the query string in the kernel's environment.

With preheated kernels the request arrives after the notebook has started, so
``query_params`` first waits for it: the kernel opens Voilà's ``voila/query/<kernel id>``
websocket and receives the request's variables once a visitor is given this kernel. This is
what ``voila.utils.wait_for_request`` does, with tornado's client (already loaded by
ipykernel): importing ``voila.utils`` pulls in jupyter_server and jupyterlab_server, 730
modules and about 46 MB in every pooled kernel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from urllib.parse import parse_qs, urlencode

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0


def query_params() -> dict[str, str]:
    """The page's query parameters (first value of each); empty outside Voila."""
    wait_for_request()
    raw = os.environ.get("QUERY_STRING", "")
    return {key: values[0] for key, values in parse_qs(raw).items() if values}


def wait_for_request() -> None:
    """In a preheated kernel, block until Voilà hands it a request, then put the request's
    variables (``QUERY_STRING`` …) in ``os.environ``; elsewhere, return at once."""
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    info = _receive(request_info_url())
    if info is None:
        return
    for key, value in json.loads(info).items():
        os.environ[key] = value
    os.environ["VOILA_PREHEAT"] = "False"  # the request is here: later calls return at once


def request_info_url() -> str:
    """Voilà's request-info websocket for this kernel, from the variables Voilà sets."""
    env = os.environ
    server_url = env.get("VOILA_SERVER_URL", "/")
    base = env.get("VOILA_WS_BASE_URL", server_url)
    return (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
        f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"
    )


def _receive(url: str) -> str | None:
    """The first message on ``url`` (waiting as long as it takes), or ``None`` if the
    server cannot be reached. Runs its own event loop in a thread: the kernel's loop is busy
    running this cell."""
    from tornado.websocket import websocket_connect

    received: list[str | None] = []

    async def fetch() -> str | None:
        connection = await websocket_connect(url, connect_timeout=CONNECT_TIMEOUT_S)
        try:
            message = await connection.read_message()
        finally:
            connection.close()
        return message if isinstance(message, str) or message is None else message.decode()

    def run() -> None:
        loop = asyncio.new_event_loop()
        try:
            received.append(loop.run_until_complete(fetch()))
        except Exception as error:  # the page then renders without the request, as Voilà's does
            log.warning("no request info from %s: %s", url, error)
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="neuguong-request-info", daemon=True)
    thread.start()
    thread.join()
    return received[0] if received else None


def page_link(notebook: str, **params: str | None) -> str:
    """A link to another notebook of the site, keeping the given parameters."""
    kept = {key: value for key, value in params.items() if value}
    return f"{notebook}?{urlencode(kept)}" if kept else notebook
