"""Running the Voilà site: launch command per mode and the kiosk kernel cap.

Pure Python; importing this package does not import Voilà or ipywidgets.
"""

from __future__ import annotations

from widgets.site.launch import MODES, LaunchError, LaunchSpec, build_launch, serve

__all__ = ["MODES", "LaunchError", "LaunchSpec", "build_launch", "serve"]
