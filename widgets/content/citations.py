"""Clause references in learner-facing HTML shown as the clause's human name, never its ID.

Authors write a clause ID in backticks (`` `officials.1` ``) or, in older text, bare in
parentheses ("(officials.5)"). Learners see "Yêu cầu (1) đối với cán bộ, công chức, viên chức";
the ID stays in a ``data-clause`` attribute.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from markupsafe import escape

from widgets.content.model import Directive

_TAG = re.compile(r"(<[^>]*>)")
_CODE = re.compile(r"<code>([a-z0-9][a-z0-9.-]*)</code>")


def clause_names(directive: Directive) -> dict[str, str]:
    """Clause ID → the name learners see (``short:``, else the label)."""
    return {clause.id: clause.name for clause in directive.clauses}


def _span(clause_id: str, name: str) -> str:
    return f'<span class="nk-clause-ref" data-clause="{escape(clause_id)}">{escape(name)}</span>'


@functools.lru_cache(maxsize=64)
def _bare(ids: tuple[str, ...]) -> re.Pattern[str] | None:
    """A clause ID standing as a word of text (not part of a longer ID, a file name or a URL)."""
    if not ids:
        return None
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![\w./-])({alternatives})(?![\w-]|\.\w)")


def humanise_html(html: str, names: Mapping[str, str]) -> str:
    """``html`` with every clause ID in its text (``<code>`` or bare) replaced by the clause's name."""
    if not names:
        return html
    html = _CODE.sub(
        lambda m: _span(m.group(1), names[m.group(1)]) if m.group(1) in names else m.group(0), html
    )
    pattern = _bare(tuple(names))
    if pattern is None:
        return html
    parts = _TAG.split(html)
    for index in range(0, len(parts), 2):  # even indexes are text between tags
        parts[index] = pattern.sub(lambda m: _span(m.group(1), names[m.group(1)]), parts[index])
    return "".join(parts)


def visible_text(html: str) -> str:
    """What a reader sees of ``html``: the text between tags (attributes are not shown)."""
    return "".join(_TAG.split(html)[0::2])


def humanise_text(text: str, names: Mapping[str, str]) -> str:
    """Plain ``text`` (e.g. a search snippet) with every clause ID replaced by the clause's name."""
    pattern = _bare(tuple(names))
    return pattern.sub(lambda m: names[m.group(1)], text) if pattern else text
