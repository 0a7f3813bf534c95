"""Under JupyterHub the learner is the Hub user, named by the server's environment only.

JupyterHub starts one server per user and sets ``JUPYTERHUB_USER`` in that server's
environment; jupyter-server-proxy's standalone proxy in front of the site lets through only
requests the Hub authenticated for that user (``deploy/jupyterhub/``). Voilà's kernels inherit
the server's environment, so a page's kernel knows its Hub user without asking the browser.

Nothing a request carries can change it: the name is read once, when this module is imported
(in the fork server, or in the kernel before any page code asks for its request), and kept.
Voilà adds only the request's CGI variables (``QUERY_STRING`` …) to a kernel's environment, and
request headers only when ``VoilaConfiguration.http_header_envs`` lists them, which the kit's
configurations never do (the JupyterHub launcher sets it empty). A query parameter such as
``?JUPYTERHUB_USER=`` or ``?learner=`` is never read as an identity.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping

from widgets.runtime.mode import MODE_ENV

HUB_USER_ENV = "JUPYTERHUB_USER"
HUB_MODES = frozenset({"", "learner"})
"""The site modes that take their identity from a Hub account (``$NEUGUONG_SITE_MODE``): a kiosk
(one shared computer, many learners) or the trainer's site never does, even if started under one."""
USER_MAX = 255
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})


def read_hub_user(environ: Mapping[str, str]) -> str | None:
    """The Hub user named in ``environ`` (NFC), or ``None`` when there is none, it is not a
    plausible user name (empty, too long, or with spaces or control characters), or the site is
    not the learner site (a kiosk or the trainer's)."""
    if environ.get(MODE_ENV, "") not in HUB_MODES:
        return None
    raw = environ.get(HUB_USER_ENV, "")
    name = unicodedata.normalize("NFC", raw)
    if not name or len(name) > USER_MAX:
        return None
    if any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in name):
        return None
    return name


_SERVER_USER = read_hub_user(os.environ)
"""The Hub user of this server, as the environment named it when the kit was loaded."""


def hub_user() -> str | None:
    """The JupyterHub user this server belongs to, or ``None`` outside JupyterHub."""
    return _SERVER_USER
