"""Nêu gương training kit: course content, quiz engine, records and ipywidgets views.

The pure core (``widgets.content``, ``widgets.engine``, ``widgets.records``) never imports
ipywidgets; the views are imported lazily so that ``import widgets.content`` stays light.
"""

from __future__ import annotations

from collections.abc import Callable

__version__ = "0.2.0"

_VIEWS = {
    "home_page": "widgets.views.home",
    "module_page": "widgets.views.module",
    "search_page": "widgets.views.search",
    "glossary_page": "widgets.views.reference",
    "directive_page": "widgets.views.reference",
    "certificate_page": "widgets.views.certificate",
    "practice_page": "widgets.views.practice",
    "verify_page": "widgets.views.verify",
    "review_page": "widgets.views.review",
}

__all__ = ["__version__", *_VIEWS]


def __getattr__(name: str) -> Callable[..., object]:
    if name in _VIEWS:
        import importlib

        page: object = getattr(importlib.import_module(_VIEWS[name]), name)
        assert callable(page), f"{_VIEWS[name]}.{name} is not a page function"
        return page
    raise AttributeError(f"module 'widgets' has no attribute {name!r}")
