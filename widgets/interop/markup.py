"""Text from other tools (GIFT ``[markdown]``/``[html]``/``[plain]``/``[moodle]``, jupyterquiz HTML)
→ the Markdown our content uses."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import ClassVar

FORMATS = ("markdown", "html", "plain", "moodle")
"""GIFT's text formats (Moodle ``format_name_to_const``)."""

_SPECIAL = re.compile(r"([\\`*_\[\]<])")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def to_markdown(text: str, text_format: str) -> str:
    """Markdown for ``text`` written in one of ``FORMATS``.

    ``markdown`` is kept as written; ``html`` is converted (bold, italics, code, links, line
    and paragraph breaks; other tags are dropped, their text kept); ``plain`` is escaped so it
    shows literally; ``moodle`` (Moodle's auto-format: plain text that may hold HTML) is treated
    as HTML when it holds a tag, else as plain text.
    """
    if text_format == "markdown":
        return text.strip()
    if text_format == "html" or (text_format == "moodle" and _TAG.search(text)):
        return html_to_markdown(text)
    return escape_plain(text, entities=text_format == "plain")


def escape_plain(text: str, *, entities: bool = True) -> str:
    """Plain text as Markdown that renders it literally (Markdown punctuation escaped)."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    if entities:
        escaped = escaped.replace("&", "\\&")
    return "\n".join(line.strip() for line in escaped.strip().splitlines())


def html_to_markdown(html: str) -> str:
    """A small HTML subset as Markdown; anything else becomes its text."""
    converter = _HtmlToMarkdown()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.strip() for line in text.strip().splitlines())


class _HtmlToMarkdown(HTMLParser):
    _INLINE: ClassVar[dict[str, str]] = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
    _BREAKS: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "ul", "ol", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._code = 0
        self._links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._INLINE:
            self.out.append(self._INLINE[tag])
            self._code += tag == "code"
        elif tag == "br":
            self.out.append("\\\n")
        elif tag in self._BREAKS:
            self.out.append("\n\n")
        elif tag == "a":
            self._links.append(dict(attrs).get("href") or "")
            self.out.append("[")
        elif tag == "img" and (alt := dict(attrs).get("alt")):
            self.out.append(escape_plain(alt))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._INLINE:
            self.out.append(self._INLINE[tag])
            self._code -= tag == "code"
        elif tag in self._BREAKS:
            self.out.append("\n\n")
        elif tag == "a" and self._links:
            href = self._links.pop()
            self.out.append(f"]({href})" if href else "]")

    def handle_data(self, data: str) -> None:
        text = re.sub(r"\s+", " ", data)
        self.out.append(text if self._code else _SPECIAL.sub(r"\\\1", text))
