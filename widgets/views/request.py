"""What the page was asked for: Voila puts the query string in the kernel's environment.

With preheated kernels the request arrives after the notebook has started, so
``query_params`` first waits for it (``voila.utils.wait_for_request``).
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlencode


def query_params() -> dict[str, str]:
    """The page's query parameters (first value of each); empty outside Voila."""
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import wait_for_request

        wait_for_request()
    raw = os.environ.get("QUERY_STRING", "")
    return {key: values[0] for key, values in parse_qs(raw).items() if values}


def page_link(notebook: str, **params: str | None) -> str:
    """A link to another notebook of the site, keeping the given parameters."""
    kept = {key: value for key, value in params.items() if value}
    return f"{notebook}?{urlencode(kept)}" if kept else notebook
