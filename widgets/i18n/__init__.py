"""UI strings from one catalogue per language (``vi`` default, ``en``); no strings in widget code."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import yaml

DEFAULT_LANGUAGE = "vi"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    path = Path(__file__).with_name(f"{language}.yml")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10× faster
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return {str(key): str(value) for key, value in data.items()}


@functools.cache
def _has_catalogue(language: str) -> bool:
    return Path(__file__).with_name(f"{language}.yml").is_file()


def language() -> str:
    chosen = os.environ.get("NEUGUONG_LANG", DEFAULT_LANGUAGE)
    return chosen if _has_catalogue(chosen) else DEFAULT_LANGUAGE


def t(key: str, /, **values: object) -> str:
    """The UI string ``key`` in the current language, formatted with ``values``."""
    text = catalogue(language()).get(key) or catalogue(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text
