"""Trainer pages (served only by the trainer site): dashboard, live room, facilitator guide,
audit trail and PIN reset.

Each trainer notebook is one import and one call, e.g.
``from widgets.views.trainer import dashboard_page`` then ``dashboard_page()``. The names
are resolved on first use, so that the learner home page importing
:mod:`widgets.views.trainer.join` does not load the dashboard (and matplotlib).
"""

from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "AuditPage": "audit",
    "audit_page": "audit",
    "DashboardPage": "dashboard",
    "dashboard_page": "dashboard",
    "GuidePage": "guide",
    "guide_page": "guide",
    "JoinRoomBox": "join",
    "RoomPage": "room",
    "room_page": "room",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
