"""Voilà configuration of the learner site (``neuguong serve --mode learner``).

Plain traitlets configuration, read by ``voila --Voila.config_file_paths=[<this folder>]``
(see ``widgets/site/launch.py``). The kiosk and trainer configurations load this file first
and then change what differs. Values given on the command line win over this file.
"""

import os
from pathlib import Path

from widgets.runtime.publish import head_start_seconds

c = get_config()  # noqa: F821 -- injected by traitlets

REPO = Path(__file__).resolve().parents[3]

# ---- Server ------------------------------------------------------------------------------
c.Voila.root_dir = str(REPO / "notebooks" / "learner")
c.Voila.ip = "127.0.0.1"  # behind a reverse proxy for an office network, never 0.0.0.0
c.Voila.port = 8866
c.Voila.port_retries = 0  # fail instead of silently moving to another port
c.Voila.open_browser = False
# Optional token for an office network (open http://host/?token=... once; a cookie keeps it).
if os.environ.get("NEUGUONG_SITE_TOKEN"):
    c.Voila.token = os.environ["NEUGUONG_SITE_TOKEN"]

# ---- Template and rendering ----------------------------------------------------------------
c.VoilaConfiguration.template = "neuguong"
c.VoilaConfiguration.theme = "light"
c.VoilaConfiguration.allow_template_override = "NO"  # ?template= is ignored
c.VoilaConfiguration.allow_theme_override = "NO"  # ?theme= is ignored
c.VoilaConfiguration.strip_sources = True
c.VoilaConfiguration.classic_tree = True  # plain HTML directory page, no extra bundle
c.VoilaConfiguration.resources = {
    "neuguong": {
        # A page whose kernel is gone opens its own address again (and resumes); it goes
        # here instead if it loses its kernel again within a minute.
        "home": "voila/render/home.ipynb",
        "reload_delay_seconds": 8,
        "poll_seconds": 15,
        "idle_reset_seconds": 0,  # off for personal use; see kiosk
    }
}

# Only the widget managers are loaded into pages (not every JupyterLab extension that
# happens to be installed); widgets-manager8 must be listed, Voilà filters before it injects.
c.VoilaConfiguration.extension_allowlist = [
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/widgets-manager8",
]

# ---- No traceback reaches the browser ------------------------------------------------------
c.VoilaConfiguration.show_tracebacks = False
c.VoilaExecutor.show_tracebacks = False
c.MappingKernelManager.allow_tracebacks = False
c.VoilaExecutor.cell_error_instruction = "Vui lòng tải lại trang hoặc báo cán bộ phụ trách."
c.VoilaExecutor.cell_timeout_instruction = "Vui lòng tải lại trang."

# ---- Files under the root: images only -----------------------------------------------------
c.VoilaConfiguration.file_allowlist = [r".*\.(png|jpe?g|gif|webp)"]
c.VoilaConfiguration.file_denylist = [
    r".*\.(ipynb|py|pyc|md|markdown|ya?ml|json|toml|cfg|ini|txt|csv|log)",
    r".*\.(sqlite3?|db)",
    r".*-(wal|shm|journal)",
    r"(.*/)?\..*",  # dot files and folders
    r"(.*/)?(__pycache__|var)/.*",
]

# ---- Kernels: culling (safety net for pages closed without the shutdown beacon) ------------
c.MappingKernelManager.cull_idle_timeout = 30 * 60
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = True
c.MappingKernelManager.cull_busy = False
# A restarted kernel has lost the page's widgets: let a dead kernel stay dead, so that the
# page notices (its kernel disappears) and opens itself again, resuming from the records.
c.KernelRestarter.restart_limit = 0
# A page that vanished without the beacon (browser killed, phone asleep, network gone): its
# kernel is shut down this long after its last websocket closed, unless the page reconnects
# (widgets/site/orphans.py). A dead network is noticed by the websocket's pings (~90 s).
c.NoDelayConnection.shutdown_grace_seconds = 90

# ---- Kernels forked from a warm process (widgets/site/forking.py) -----------------------------
# Each page's kernel starts with ipykernel, ipywidgets, SQLAlchemy and the kit already
# imported, instead of spending ~2 s of CPU importing them, and without ipykernel's debugger
# (no page debugs; debugpy would add ~7 MB to every kernel). NEUGUONG_FORK_KERNELS=0 turns it off
# (kernels then start as stock Voilà's do, debugger included).
c.KernelProvisionerFactory.default_provisioner_name = "neuguong-forking-provisioner"

# Kernel messages reach the browser without waiting for a delayed ACK (widgets/site/websocket.py).
c.Voila.kernel_websocket_connection_class = "widgets.site.websocket.NoDelayConnection"

# ---- Execution under load (a room signing in at once, 2 cores) ----------------------------
c.VoilaExecutor.startup_timeout = 180  # seconds to wait for a kernel to start
c.VoilaExecutor.iopub_timeout = 60  # default 4 s loses widget output under CPU load
# No VoilaExecutor.timeout: a preheated page waits in its first cell for the request
# (voila.utils.wait_for_request), which can take hours; with a timeout that cell is killed
# and the next learner gets a broken page (measured: timeout=10 -> "Cell execution timed out").
c.VoilaConfiguration.http_keep_alive_timeout = 10
# A quiz's verdict leaves the kernel, then the kernel waits NEUGUONG_HEAD_START_MS (the kernels
# inherit it; widgets/runtime/publish.py) before saving the answer. Read here once so that a bad
# value stops the server instead of a learner's click.
head_start_seconds()

# ---- Preheated kernels ---------------------------------------------------------------------
# Measured on a 2-core machine (see deploy/voila/README.md): a preheated page is served from
# an already executed kernel. Only the home page is pooled; pooled kernels are never culled
# and each one holds ~60 MB RSS (mostly shared with the fork server). A preheated notebook
# must read the request (learner, query string) only after ``voila.utils.wait_for_request()``.
c.VoilaConfiguration.preheat_kernel = os.environ.get("NEUGUONG_PREHEAT", "1") != "0"
c.VoilaConfiguration.default_pool_size = 0
c.VoilaKernelManager.kernel_pools_config = {
    "default": {"pool_size": 0},
    "home.ipynb": {"pool_size": 2},
}
c.VoilaKernelManager.fill_delay = 1

# ---- HTTP hardening -------------------------------------------------------------------------
_hostnames = ["localhost", *filter(None, os.environ.get("NEUGUONG_HOSTNAMES", "").split(","))]
c.Voila.tornado_settings = {
    # gzip for text responses (pages, JS, CSS, JSON): a first visit is 1.4 MB instead of 5.0 MB
    # on the wire. Takes effect only under the kit's app (python -m widgets.site), which
    # hands these settings to tornado's Application constructor; plain voila applies them
    # too late for this one.
    "compress_response": True,
    # Voilà sets allow_remote_access=True; turn the Host check back on (DNS rebinding).
    # Names a reverse proxy uses must be listed in NEUGUONG_HOSTNAMES (comma separated).
    "allow_remote_access": False,
    "local_hostnames": _hostnames,
    "xsrf_cookie_kwargs": {"samesite": "Strict"},
    "headers": {
        "Content-Security-Policy": "; ".join(
            [
                "default-src 'self'",
                # Voilà's page runs inline scripts (cell progress, widget state).
                "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data: blob:",
                "font-src 'self' data:",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'self'",
            ]
        ),
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    },
}
