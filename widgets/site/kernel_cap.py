"""A kernel manager that refuses to start kernels past a configured number (kiosk mode).

Voilà builds its kernel manager from ``VoilaConfiguration.multi_kernel_manager_class``; with
this class a page request past the cap gets HTTP 503 (our template shows it in Vietnamese)
instead of one more ~100 MB kernel. Kernels being started count, so a burst cannot overshoot.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer


class CappedMappingKernelManager(AsyncMappingKernelManager):
    """``AsyncMappingKernelManager`` with ``max_kernels`` (0 means no cap)."""

    max_kernels = Integer(
        0, config=True, help="Refuse to start a kernel when this many run or start (0: no cap)."
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:  # Any: jupyter_server's traitlets config
        # jupyter_server's __init__ is unannotated (untyped_calls_exclude misses super() calls).
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self._starting = 0

    def kernels_in_use(self) -> int:
        """Running kernels plus the ones still starting."""
        return len(self.list_kernel_ids()) + self._starting

    # Async in AsyncMappingKernelManager; mypy sees the sync base's annotation (-> str).
    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs: Any) -> str:  # type: ignore[override]
        """Start a kernel, or raise HTTP 503 when the cap is reached."""
        if kernel_id is not None:  # restarting a known kernel is not a new one
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        if self.max_kernels > 0 and self.kernels_in_use() >= self.max_kernels:
            self.log.warning("Kernel cap of %d reached: refusing a new kernel", self.max_kernels)
            raise web.HTTPError(503, "kernel limit reached")
        self._starting += 1
        try:
            return await super().start_kernel(**kwargs)
        finally:
            self._starting -= 1
