"""The one Markdown parser of the kit: markdown-it-py with front matter and ``:::`` blocks."""

from __future__ import annotations

import dataclasses as dc
import functools
import re

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

BLOCK = "container_block"
"""Token type of every ``:::`` block; its name is the first word of the info string."""

_FIELD_LINE = re.compile(r"^([a-z][a-z-]*):(?:\s+(.*))?$")


@functools.cache
def parser() -> MarkdownIt:
    """CommonMark, raw HTML off, plus front matter and a container rule for any ``:::`` name."""
    return (
        MarkdownIt("commonmark", {"html": False})
        .use(front_matter_plugin)
        .use(container_plugin, name="block", validate=lambda params, *_: bool(params.strip()))
        .enable("table")
    )


def parse_tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(parser().parse(text))


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Markdown to HTML with raw HTML disabled: content can never inject a ``<script>``."""
    return str(parser().render(text))


def render_inline(text: str) -> str:
    """Inline Markdown (a choice, a title) to HTML without a wrapping paragraph."""
    return str(parser().renderInline(text))


def plain_text(text: str) -> str:
    """Inline Markdown reduced to its text, for widgets that show plain labels."""
    tokens = parser().parseInline(text)
    parts: list[str] = []
    for token in tokens:
        for child in token.children or ():
            if child.type in {"text", "code_inline"}:
                parts.append(child.content)
            elif child.type in {"softbreak", "hardbreak"}:
                parts.append(" ")
    return "".join(parts).strip()


def line_of(node: SyntaxTreeNode) -> int:
    """1-based first line of a node."""
    return node.map[0] + 1 if node.map else 0


@dc.dataclass(frozen=True)
class Block:
    """A ``:::`` block: its name, arguments, fields and remaining body nodes."""

    name: str
    args: tuple[str, ...]
    fields: dict[str, tuple[int, str]]
    """Field name → (line, raw value)."""
    body: tuple[SyntaxTreeNode, ...]
    line: int
    node: SyntaxTreeNode
    head: str = ""
    """Markdown lines of the first paragraph that follow its fields (``label: …`` then text)."""

    def markdown(self, lines: list[str], nodes: list[SyntaxTreeNode] | None = None) -> str:
        """The block's Markdown: ``head`` then the source of ``nodes`` (default: all body nodes)."""
        rest = source_of(lines, list(self.body) if nodes is None else nodes)
        return "\n\n".join(part for part in (self.head, rest) if part)

    def children_blocks(self) -> list[Block]:
        return [as_block(node) for node in self.body if node.type == BLOCK]

    def content_nodes(self) -> list[SyntaxTreeNode]:
        return [node for node in self.body if node.type != BLOCK]


def as_block(node: SyntaxTreeNode) -> Block:
    words = node.info.split()
    name, args = (words[0], tuple(words[1:])) if words else ("", ())
    children = list(node.children)
    fields: dict[str, tuple[int, str]] = {}
    head = ""
    if children and (parsed := leading_fields(children[0])) is not None:
        fields, head = parsed
        children = children[1:]
    return Block(name, args, fields, tuple(children), line_of(node), node, head)


def leading_fields(node: SyntaxTreeNode) -> tuple[dict[str, tuple[int, str]], str] | None:
    """The ``name: value`` lines opening a paragraph, and the paragraph's remaining text.

    ``None`` when the paragraph does not open with a field line.
    """
    if node.type != "paragraph" or not node.children:
        return None
    lines = node.children[0].content.splitlines()
    first = line_of(node)
    fields: dict[str, tuple[int, str]] = {}
    consumed = 0
    for line in lines:
        match = _FIELD_LINE.match(line.strip())
        if match is None:
            break
        fields[match.group(1)] = (first + consumed, (match.group(2) or "").strip())
        consumed += 1
    if not fields:
        return None
    return fields, "\n".join(lines[consumed:]).strip()


def is_stray_marker(node: SyntaxTreeNode) -> bool:
    """A paragraph that is only colons: a ``:::`` closing line with no open block."""
    if node.type != "paragraph" or not node.children:
        return False
    return bool(re.fullmatch(r":{3,}", node.children[0].content.strip()))


def looks_like_block(node: SyntaxTreeNode) -> bool:
    """A paragraph starting with ``:::`` (an unclosed or misnested block)."""
    return (
        node.type == "paragraph"
        and bool(node.children)
        and (node.children[0].content.lstrip().startswith(":::"))
    )


def source_of(lines: list[str], nodes: list[SyntaxTreeNode]) -> str:
    """The original Markdown of consecutive nodes, with the common indent removed."""
    mapped = [node.map for node in nodes if node.map]
    if not mapped:
        return ""
    start, end = min(m[0] for m in mapped), max(m[1] for m in mapped)
    chunk = lines[start:end]
    indent = min((len(s) - len(s.lstrip()) for s in chunk if s.strip()), default=0)
    return "\n".join(s[indent:] for s in chunk).strip()
