"""The Littlest JupyterHub: every user's server is the Nêu gương learner site (Voilà).

Copy to /opt/tljh/config/jupyterhub_config.d/neuguong.py (``install.sh`` does), then
``sudo tljh-config reload hub``. TLJH loads this after its own configuration, so what is set
here wins. Secrets are not in this file: the PostgreSQL URL and the public host name are
read from /opt/tljh/config/neuguong.env (root only, written by ``install.sh``).

How a learner's server runs: jupyter-server-proxy's standalone proxy
(``jupyter-standaloneproxy``) checks the Hub's OAuth and strips the ``/user/<name>`` prefix;
behind it, ``deploy/jupyterhub/neuguong_voila.py`` starts Voilà with
the kit's learner configuration (no ``execute_request``, no tracebacks, images-only files)
on 127.0.0.1. Users never get JupyterLab or a terminal.
"""

import os
import shlex
from pathlib import Path

c = get_config()  # noqa: F821 -- injected by JupyterHub

KIT = os.environ.get("NEUGUONG_KIT", "/opt/neuguong")
# The proxy (jupyter-server-proxy[standalone] >= 4.5, with the Hub's jupyterhub major for
# the OAuth hand-off) has an environment of its own, so that jupyterhub's dependencies never
# meet the kit's; the site itself runs in TLJH's user environment. install.sh creates both.
# (It replaces jhsingle-native-proxy, unmaintained, which refused every browser websocket
# under tornado 6.6.)
PROXY = os.environ.get("NEUGUONG_PROXY_ENV", "/opt/neuguong-proxy")
PYTHON = os.environ.get("NEUGUONG_PYTHON", "/opt/tljh/user/bin/python3")
ENV_FILE = Path(os.environ.get("NEUGUONG_TLJH_ENV_FILE", "/opt/tljh/config/neuguong.env"))


def _read_env(path: Path) -> dict[str, str]:
    """``NAME=value`` lines (shell quoting allowed); missing file → nothing."""
    found: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, _, value = line.partition("=")
                found[name.strip()] = " ".join(shlex.split(value)) if value.strip() else ""
    return found


settings = _read_env(ENV_FILE)

# ---- The user's server: the learner site behind jupyter-standaloneproxy ---------------------
# The proxy listens where the Hub says ($JUPYTERHUB_SERVICE_URL), starts the command after
# `--` on a free port ({port}) on the first request, waits up to --timeout seconds for it,
# and forwards /user/<name>/x to it as /x.
c.Spawner.cmd = [
    f"{PROXY}/bin/jupyter-standaloneproxy",
    "--timeout=300",
    "--",
    PYTHON, f"{KIT}/deploy/jupyterhub/neuguong_voila.py",
    "--port={port}",
    "--base-url={base_url}",
]  # fmt: skip
# TLJH sets default_url to /lab; the standalone proxy does not take that option.
c.Spawner.default_url = ""
# After logging in, go straight to the site's home page (spawning the server if needed).
c.JupyterHub.default_url = "/hub/user-redirect/voila/render/home.ipynb"
c.Spawner.environment = {
    "NEUGUONG_DB_URL": settings.get("NEUGUONG_DB_URL", ""),
    # Holds only the installation's certificate-secret and identity-secret (the same for
    # everyone, group-readable): learner IDs are keyed by the latter. The learner is the Hub
    # user ($JUPYTERHUB_USER, which the spawner sets per user server; widgets/runtime/hub.py).
    "NEUGUONG_DATA": settings.get("NEUGUONG_DATA", "/srv/neuguong/data"),
    "NEUGUONG_HOSTNAMES": settings.get("NEUGUONG_HOSTNAMES", ""),
    # One learner per server: a pool of preheated kernels would only add ~120 MB each.
    "NEUGUONG_PREHEAT": "0",
}
# A cold start (server + first page) takes seconds on a busy machine.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

# ---- Idle culling -----------------------------------------------------------------------------
# The hub's culler (tljh-config services.cull.*, set by install.sh) stops servers with no
# traffic; inside each server Voilà culls idle kernels (deploy/voila/learner/voila.py).
# A page left open keeps polling its kernel, so max_age (set by install.sh) bounds the day.
