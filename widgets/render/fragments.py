"""HTML fragments for the views and the reports, from autoescaped Jinja2 templates in ``templates/``.

Learner-supplied text is always escaped; content Markdown is rendered by markdown-it with
raw HTML disabled, so neither can inject markup.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import jinja2
from markupsafe import Markup

from widgets.content.cache import cache_dir
from widgets.content.citations import clause_names, humanise_html
from widgets.content.markdown import render_inline, render_markdown
from widgets.i18n import t

log = logging.getLogger(__name__)


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk, shared by every kernel (each page is a new process);
    a cache that cannot be written costs the compile, never the page."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            log.debug("template cache not written: %s", error)


def _template_cache() -> jinja2.BytecodeCache | None:
    directory = cache_dir() / "templates"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.debug("no template cache: %s", error)
        return None
    return _TemplateCache(str(directory))


_names: dict[str, dict[str, str]] = {}
"""Clause ID → name shown to learners, per content folder."""


def current_clause_names() -> dict[str, str]:
    """The names of the clauses of the course being served (``$NEUGUONG_CONTENT`` or content/);
    empty, so IDs stay as written, when it cannot be read."""
    from widgets.content.course import default_content_dir, load_course
    from widgets.content.problems import ContentError

    root = str(default_content_dir())
    if root not in _names:
        try:
            _names[root] = clause_names(load_course().directive)
        except (ContentError, OSError) as error:
            log.warning("clause names unavailable: %s", error)
            return {}
    return _names[root]


def _markdown(text: str) -> Markup:
    return Markup(humanise_html(render_markdown(text), current_clause_names()))


def _inline(text: str) -> Markup:
    return Markup(humanise_html(render_inline(text), current_clause_names()))


def _clause_name(clause_id: str) -> str:
    return current_clause_names().get(clause_id, clause_id)


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("widgets.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_template_cache(),
        auto_reload=False,  # package files: no stat of the template at every render
    )
    env.filters["md"] = _markdown
    env.filters["mdi"] = _inline
    env.filters["clause_name"] = _clause_name
    env.globals["t"] = t
    return env


def prepare(templates: Iterable[str] = (), markdown: Iterable[str] = ()) -> None:
    """Load ``templates`` and render ``markdown`` now (both are kept: the ``md`` filter keeps
    what it rendered), so that a later :func:`render` that needs them does not wait for them.
    Nothing is sent anywhere."""
    for template in templates:
        _template(template)
    for text in markdown:
        if text:
            render_markdown(text)


def render(template: str, **context: object) -> str:
    """Render ``templates/<template>.html.j2``."""
    return _template(template).render(**context)


def _template(name: str) -> jinja2.Template:
    return environment().get_template(f"{name}.html.j2")
