"""Trainer pages (served only by the trainer site): dashboard, facilitator guide, audit trail
and PIN reset. The live room has a package of its own, :mod:`widgets.views.rooms`.

Each trainer notebook is one import and one call, e.g.
``from widgets.views.trainer import dashboard_page`` then ``dashboard_page()``. The names
are resolved on first use, so that importing one page does not load the others (the
dashboard loads matplotlib).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

_NAMES = {
    "AuditPage": "audit",
    "audit_page": "audit",
    "DashboardPage": "dashboard",
    "dashboard_page": "dashboard",
    "GuidePage": "guide",
    "guide_page": "guide",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Callable[..., object]:
    if name in _NAMES:
        page: object = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
        assert callable(page), f"{_NAMES[name]}.{name} is not a page or its class"
        return page
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
