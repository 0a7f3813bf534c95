"""Module completion now lives in the pure core, :mod:`widgets.engine.progress`; these names
are kept here for the reports that import them from the records layer."""

from __future__ import annotations

from widgets.engine.progress import ModuleState, Requirement, is_complete, module_state, requirements_for

__all__ = ["ModuleState", "Requirement", "is_complete", "module_state", "requirements_for"]
