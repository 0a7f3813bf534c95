"""Voilà configuration of the kiosk (``neuguong serve --mode kiosk``): an unattended shared
screen. Everything from the learner configuration, then shorter culling, an idle reset in
the browser and a cap on the number of kernels this server runs."""

from pathlib import Path

from widgets.runtime.kiosk import idle_seconds, warning_seconds

c = get_config()  # noqa: F821 -- injected by traitlets
load_subconfig(str(Path(__file__).resolve().parents[1] / "learner" / "voila.py"))  # noqa: F821

# Kernels are cheap to lose on a kiosk: the next learner starts from the home page anyway.
c.MappingKernelManager.cull_idle_timeout = 5 * 60
c.MappingKernelManager.cull_interval = 30
c.MappingKernelManager.cull_connected = True

# At most this many kernels (pooled ones included); a page past the cap gets HTTP 503.
c.VoilaConfiguration.multi_kernel_manager_class = "widgets.site.kernel_cap.CappedMappingKernelManager"
c.CappedMappingKernelManager.max_kernels = 4

# One pooled home page is enough for one screen.
c.VoilaKernelManager.kernel_pools_config = {
    "default": {"pool_size": 0},
    "home.ipynb": {"pool_size": 1},
}

# Signed out and back to the start screen after 3 minutes without input (20 s warning first);
# NEUGUONG_KIOSK_IDLE_SECONDS changes it, for the page and for the kernels' session tokens
# (which expire that long after their last use). "kiosk": the page's links and the sign-out
# replace the history entry instead of adding one (see static/session/kiosk.js).
_idle = idle_seconds()
c.VoilaConfiguration.resources = {
    "neuguong": {
        "home": "voila/render/home.ipynb",
        "reload_delay_seconds": 5,
        "poll_seconds": 10,
        "idle_reset_seconds": _idle,
        "idle_warning_seconds": warning_seconds(_idle),
        "kiosk": True,
    }
}
