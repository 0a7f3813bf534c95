"""Which site a kernel serves: the launcher names it in the server's environment, which every
kernel inherits (``neuguong serve --mode learner|kiosk|trainer``)."""

from __future__ import annotations

MODE_ENV = "NEUGUONG_SITE_MODE"
"""Set by :mod:`widgets.site.launch`; read by the server (:mod:`widgets.site.app`) and by the
kernels (:mod:`widgets.runtime.kiosk`, :mod:`widgets.runtime.hub`)."""
