"""Voilà configuration of the trainer site (``neuguong serve --mode trainer``).

Serves ``notebooks/trainer`` on port 8867 and refuses to start without a token in the
environment variable NEUGUONG_TRAINER_TOKEN (at least 12 characters). Open it with
``http://127.0.0.1:8867/?token=<token>``.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 -- injected by traitlets
load_subconfig(str(Path(__file__).resolve().parents[1] / "learner" / "voila.py"))  # noqa: F821

REPO = Path(__file__).resolve().parents[3]

_token = os.environ.get("NEUGUONG_TRAINER_TOKEN", "")
if len(_token) < 12:
    # SystemExit, not an Exception: traitlets would only log an Exception and carry on
    # without this file, i.e. without a token.
    raise SystemExit(
        "neuguong trainer: set NEUGUONG_TRAINER_TOKEN (at least 12 characters) "
        "before starting the trainer site."
    )

c.Voila.root_dir = str(REPO / "notebooks" / "trainer")
c.Voila.port = 8867
c.Voila.token = _token

# Few users, long sessions: no pool, generous culling.
c.VoilaConfiguration.preheat_kernel = False
c.MappingKernelManager.cull_idle_timeout = 60 * 60
c.VoilaConfiguration.resources = {
    "neuguong": {
        # The trainer site has no home.ipynb: its home is the dashboard ("/" redirects here).
        "home": "voila/render/dashboard.ipynb",
        "reload_delay_seconds": 8,
        "poll_seconds": 15,
        "idle_reset_seconds": 0,
    }
}
