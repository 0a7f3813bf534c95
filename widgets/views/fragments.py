"""HTML fragments for the views, from autoescaped Jinja2 templates in ``templates/``.

Learner-supplied text is always escaped; content Markdown is rendered by markdown-it with
raw HTML disabled, so neither can inject markup.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
from markupsafe import Markup

from widgets.content.markdown import render_inline, render_markdown
from widgets.i18n import t


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("widgets.views", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = lambda text: Markup(render_markdown(text))
    env.filters["mdi"] = lambda text: Markup(render_inline(text))
    env.globals["t"] = t
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>.html.j2``."""
    return environment().get_template(f"{template}.html.j2").render(**context)
