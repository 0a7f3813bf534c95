"""The kit's Voilà application: Voilà 0.5 plus a home redirect, a health check and compression.

``neuguong serve`` starts it as ``python -m widgets.site`` (see :mod:`widgets.site.launch`);
everything else (configuration files, template, kernels) is Voilà's own. What it adds:

* ``/`` (and the base URL without its slash) answers ``302`` to the mode's home page,
  ``VoilaConfiguration.resources["neuguong"]["home"]`` (learner and kiosk:
  ``voila/render/home.ipynb``; trainer: ``voila/render/dashboard.ipynb``), keeping the query
  string (``?token=``, ``?learner=``). Voilà's file list stays at ``/voila/tree``.
* ``/healthz`` answers ``200`` with ``{"status": "ok", "mode", "version", "store"}`` without
  starting a kernel, after opening the records store (SQLite read-only, or one PostgreSQL
  ``SELECT 1`` with a 3 s connect timeout); ``503`` with ``"status": "error"`` if it cannot.
  No token is needed (systemd, nginx and monitoring probe it).
* ``Voila.tornado_settings`` reach tornado's ``Application`` constructor, so that
  ``compress_response`` takes effect (Voilà 0.5 applies them after it, when tornado has
  already chosen its output transforms).
* Versioned static files (``?v=<hash>``) are cached for a long time: tornado already does it
  for the template's and Voilà's static files; the widget managers' chunks under
  ``/voila/labextensions/`` get a year too (Voilà serves them ``no-cache``). Pages stay
  ``no-cache, no-store``.
* The error pages' "Về trang chủ" link goes to the mode's home page (template global
  ``neuguong_home_url``); an address no route knows gets the template's 404 page.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import tornado.ioloop
import tornado.web
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from voila.app import Voila
from voila.handler import BaseVoilaHandler

from widgets import __version__
from widgets.i18n import t
from widgets.records.config import DB_URL_ENV
from widgets.records.health import check_store
from widgets.runtime.mode import MODE_ENV

DEFAULT_HOME = "voila/render/home.ipynb"
HEALTH_PATH = "healthz"
LONG_CACHE_S = 365 * 24 * 3600


def home_path(resources: Mapping[str, object]) -> str:
    """The home page, relative to the base URL, from the template resources (its ``conf.json``)."""
    ours = resources.get("neuguong")
    home = ours.get("home") if isinstance(ours, dict) else None
    return str(home or DEFAULT_HOME).lstrip("/")


class HomeRedirectHandler(tornado.web.RequestHandler):
    """``GET /`` → ``302`` to the home page, with the request's query string."""

    def initialize(self, home_url: str) -> None:
        self.home_url = home_url

    def get(self) -> None:
        query = self.request.query
        self.set_header("Cache-Control", "no-store")
        self.redirect(f"{self.home_url}?{query}" if query else self.home_url)

    def head(self) -> None:
        self.get()


class HealthHandler(tornado.web.RequestHandler):
    """``GET /healthz``: JSON, no kernel started, no token needed."""

    def initialize(self, mode: str) -> None:
        self.mode = mode

    async def get(self) -> None:
        started = time.monotonic()
        data_dir = Path(os.environ.get("NEUGUONG_DATA") or ".")
        loop = tornado.ioloop.IOLoop.current()
        ok, store = await loop.run_in_executor(None, check_store, data_dir, os.environ.get(DB_URL_ENV))
        self.set_status(200 if ok else 503)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        body = {
            "status": "ok" if ok else "error",
            "mode": self.mode,
            "version": __version__,
            "store": store,
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
        self.finish(json.dumps(body))

    def head(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.finish()


class VersionedFileFindHandler(FileFindHandler):
    """Voilà's labextensions handler, but a file asked for with ``?v=<content hash>`` (how
    the widget managers load their chunks) is cached for a year instead of revalidated on
    every page; without ``v`` it stays ``no-cache``."""

    def set_headers(self) -> None:
        super().set_headers()
        if "v" in self.request.arguments:
            self.set_header("Cache-Control", f"public, max-age={LONG_CACHE_S}, immutable")


class NotFoundHandler(BaseVoilaHandler):
    """An address no route knows: the template's Vietnamese 404 page (not tornado's)."""

    async def prepare(self) -> None:
        await super().prepare()
        raise tornado.web.HTTPError(404)


SERVER_PAGES = {"login.html": Path(__file__).parent / "templates" / "login.html.j2"}
"""jupyter_server's own pages the kit replaces (its login page is English and speaks of
``jupyter server list``): the trainer site asks for its token in Vietnamese."""


def _server_page(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    path = SERVER_PAGES.get(name)
    if path is None:
        return None
    return path.read_text(encoding="utf-8"), str(path), lambda: True


class NeuguongVoila(Voila):
    """Voilà with the kit's home redirect, health check and working ``tornado_settings``."""

    description = "Nêu gương: Voilà with the kit's home page, health check and compression."

    @property
    def site_mode(self) -> str:
        return os.environ.get(MODE_ENV, "learner")

    @property
    def home_url(self) -> str:
        """Absolute path of the mode's home page (base URL included)."""
        return url_path_join(self.base_url, home_path(self.voila_configuration.resources))

    def init_settings(self) -> dict[str, Any]:  # Any: tornado settings of every kind (Voilà untyped)
        settings: dict[str, Any] = super().init_settings()  # Voilà is untyped
        # Constructor-time settings (compress_response) must be there when tornado builds
        # the Application; Voilà's start() only updates app.settings afterwards.
        settings.update(self.tornado_settings)
        settings["default_handler_class"] = NotFoundHandler
        settings["default_handler_args"] = {"voila_configuration": self.voila_configuration}
        for env_name in ("voila_jinja2_env", "jinja2_env"):
            settings[env_name].globals["neuguong_home_url"] = self.home_url
        server_pages: jinja2.Environment = settings["jinja2_env"]
        theirs = [server_pages.loader] if server_pages.loader is not None else []
        server_pages.loader = jinja2.ChoiceLoader([jinja2.FunctionLoader(_server_page), *theirs])
        server_pages.globals["t"] = t
        return settings

    def init_handlers(self) -> list[Any]:  # Any: tornado rule specs (2- or 3-tuples)
        root = self.server_url.rstrip("/")
        ours: list[Any] = [
            (f"{root}/?", HomeRedirectHandler, {"home_url": self.home_url}),
            (url_path_join(self.server_url, HEALTH_PATH), HealthHandler, {"mode": self.site_mode}),
        ]
        voila = [
            (pattern, VersionedFileFindHandler, *rest)
            if handler is FileFindHandler and pattern.endswith("/voila/labextensions/(.*)")
            else (pattern, handler, *rest)
            for pattern, handler, *rest in super().init_handlers()
        ]
        # Tornado takes the first matching route: ours come before Voilà's tree at "/".
        return [*ours, *voila]

    def build_app(self) -> tornado.web.Application:
        """Voilà's ``start()`` without listening: the tornado application (for tests)."""
        import tempfile

        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        settings = self.init_settings()
        self.app = tornado.web.Application(**settings)
        self.app.settings.update(self.tornado_settings)
        self.app.add_handlers(".*$", self.init_handlers())
        return self.app


main = NeuguongVoila.launch_instance

if __name__ == "__main__":
    main()
