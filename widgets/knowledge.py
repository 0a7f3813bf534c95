"""Tra cứu: one search over the directive's clauses, the FAQ, the lessons and the glossary.

Plain Python (no ipywidgets). Matching ignores case and tone marks (``"ruou bia"`` finds
``"rượu, bia"``), works on whole words (Vietnamese syllables: ``"pho"`` finds ``"phó"``, not
``"phối"``) and needs every query word (AND). Hits are ranked by
kind — clause text, then FAQ, lessons, glossary — then by relevance; each carries the clause
IDs it rests on and the module that teaches them. The index is built once per course.
"""

from __future__ import annotations

import dataclasses as dc
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from enum import StrEnum

from widgets.content.citations import clause_names, humanise_text
from widgets.content.markdown import parser
from widgets.content.model import Course, Module, ModuleKind

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 12
SNIPPET_CHARS = 240
DEFAULT_LIMIT = 20

_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
"""A word of NFC text: letters and digits, with any stray combining mark kept inside."""


class HitKind(StrEnum):
    CLAUSE = "clause"
    FAQ = "faq"
    LESSON = "lesson"
    TERM = "term"


KIND_RANK = {HitKind.CLAUSE: 0, HitKind.FAQ: 1, HitKind.LESSON: 2, HitKind.TERM: 3}
"""Ranking order of the kinds: the directive's own words first."""
KIND_BAND = 1000.0
"""Each kind's scores lie in their own band, so ``score`` alone gives the ranking."""

Span = tuple[int, int]


@dc.dataclass(frozen=True, slots=True)
class Hit:
    """One search result, with the spans of its title and snippet that matched the query."""

    kind: HitKind
    title: str
    snippet: str
    clause_ids: tuple[str, ...]
    module: Module | None
    """The module that teaches the text (a lesson's own module, else the first cited clause's)."""
    score: float
    title_marks: tuple[Span, ...] = ()
    snippet_marks: tuple[Span, ...] = ()

    def title_parts(self) -> tuple[tuple[str, bool], ...]:
        """The title as ``(text, matched)`` pieces, for highlighting."""
        return split_marks(self.title, self.title_marks)

    def snippet_parts(self) -> tuple[tuple[str, bool], ...]:
        return split_marks(self.snippet, self.snippet_marks)


@dc.dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    folded: str


@dc.dataclass(frozen=True, slots=True)
class Field:
    """A searchable text of an entry and how much a match in it weighs."""

    text: str
    weight: float
    tokens: tuple[Token, ...]


@dc.dataclass(frozen=True, slots=True)
class Entry:
    """One indexed item: a title field, a body field, optional extra fields."""

    kind: HitKind
    title: Field
    body: Field
    extra: tuple[Field, ...]
    clause_ids: tuple[str, ...]
    module: Module | None
    order: int

    @property
    def fields(self) -> tuple[Field, ...]:
        return (self.title, self.body, *self.extra)


# ---------------------------------------------------------------- text


def fold(text: str) -> str:
    """Case- and tone-free form of any length of text (``"Rượu"`` → ``"ruou"``, ``đ`` → ``d``)."""
    text = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def tokenize(text: str) -> tuple[Token, ...]:
    """The words of ``text`` with their offsets and folded forms."""
    return tuple(
        Token(m.start(), m.end(), folded) for m in _WORD.finditer(text) if (folded := fold(m.group()))
    )


def query_words(query: object) -> tuple[str, ...]:
    """The folded, distinct words of a query (cut to a sane length; non-text gives none)."""
    if not isinstance(query, str):
        return ()
    words = [token.folded for token in tokenize(unicodedata.normalize("NFC", query[:MAX_QUERY_CHARS]))]
    return tuple(dict.fromkeys(words))[:MAX_QUERY_WORDS]


def term_slug(name: str) -> str:
    """An anchor-safe ID for a glossary term (``"thời giờ làm việc"`` → ``"thoi-gio-lam-viec"``)."""
    return "-".join(token.folded for token in tokenize(name)) or "term"


def markdown_text(markdown: str) -> str:
    """The readable text of block Markdown (no markup), paragraphs joined by spaces."""
    parts: list[str] = []
    for token in parser().parse(markdown):
        if token.type != "inline":
            continue
        pieces = [
            child.content if child.type in {"text", "code_inline"} else " "
            for child in token.children or ()
            if child.type in {"text", "code_inline", "softbreak", "hardbreak"}
        ]
        parts.append("".join(pieces))
    return " ".join(" ".join(parts).split())


def split_marks(text: str, marks: Sequence[Span]) -> tuple[tuple[str, bool], ...]:
    """``text`` cut into ``(piece, matched)`` at the given sorted, disjoint spans."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for start, end in marks:
        if start > at:
            parts.append((text[at:start], False))
        parts.append((text[start:end], True))
        at = end
    if at < len(text):
        parts.append((text[at:], False))
    return tuple(parts)


def _field(text: str, weight: float) -> Field:
    text = unicodedata.normalize("NFC", text)
    return Field(text, weight, tokenize(text))


# ---------------------------------------------------------------- index


def teaching_module(course: Course, clause_id: str) -> Module | None:
    """The lesson module that teaches ``clause_id``.

    The first lesson module whose front-matter ``clauses`` list it; failing that, the first
    whose sections cite it (an overview section citing a clause does not outrank the module
    written for it).
    """
    lessons = [m for m in course.modules if m.kind is ModuleKind.LESSON]
    for module in lessons:
        if clause_id in module.clauses:
            return module
    for module in lessons:
        if any(clause_id in section.cites for section in module.sections):
            return module
    return None


def module_for_clauses(course: Course, clause_ids: Iterable[str]) -> Module | None:
    """The module teaching the first of ``clause_ids`` that some lesson module teaches."""
    for clause_id in clause_ids:
        if (module := teaching_module(course, clause_id)) is not None:
            return module
    return None


def build_index(course: Course) -> tuple[Entry, ...]:
    """Every searchable entry of the course, in ranking order of kinds then authored order."""
    entries: list[Entry] = []

    def add(
        kind: HitKind, title: str, body: str, cites: tuple[str, ...], module: Module | None, *extra: str
    ) -> None:
        fields = tuple(_field(text, 1.0) for text in extra)
        entries.append(
            Entry(kind, _field(title, 2.0), _field(body, 1.0), fields, cites, module, len(entries))
        )

    for clause in course.directive.clauses:
        module = teaching_module(course, clause.id)
        add(HitKind.CLAUSE, clause.label, markdown_text(clause.text), (clause.id,), module, clause.id)
    names = clause_names(course.directive)

    def text(markdown: str) -> str:  # what learners read: clause names, never clause IDs
        return humanise_text(markdown_text(markdown), names)

    for item in course.faq:
        add(
            HitKind.FAQ,
            humanise_text(item.question, names),
            text(item.answer),
            item.cites,
            module_for_clauses(course, item.cites),
        )
    for module in course.modules:
        for section in module.sections:
            if section.cites:  # every hit shows a clause: uncited (guide) sections stay out
                title = text(section.title) or module.title
                add(HitKind.LESSON, title, text(section.body), section.cites, module)
    for term in course.glossary:
        body = text(term.definition)
        add(HitKind.TERM, term.name, body, term.cites, module_for_clauses(course, term.cites))
    return tuple(entries)


_INDEXES: dict[int, tuple[Course, tuple[Entry, ...]]] = {}
_MAX_CACHED = 4


def index_for(course: Course) -> tuple[Entry, ...]:
    """The course's index, built on first use and kept while the course object lives."""
    cached = _INDEXES.get(id(course))
    if cached is not None and cached[0] is course:
        return cached[1]
    if len(_INDEXES) >= _MAX_CACHED:
        _INDEXES.pop(next(iter(_INDEXES)))
    entries = build_index(course)
    _INDEXES[id(course)] = (course, entries)
    return entries


# ---------------------------------------------------------------- search


def search(course: Course, query: object, limit: int | None = DEFAULT_LIMIT) -> list[Hit]:
    """Entries matching every word of ``query``, best first; an empty query lists the FAQ."""
    words = query_words(query)
    entries = index_for(course)
    if not words:
        hits = [_hit(entry, (), 0.0) for entry in entries if entry.kind is HitKind.FAQ]
        return hits[:limit] if limit is not None else hits
    scored = [(relevance, entry) for entry in entries if (relevance := _relevance(entry, words)) is not None]
    scored.sort(key=lambda pair: (KIND_RANK[pair[1].kind], -pair[0], pair[1].order))
    hits = [_hit(entry, words, relevance) for relevance, entry in scored]
    return hits[:limit] if limit is not None else hits


def _relevance(entry: Entry, words: tuple[str, ...]) -> float | None:
    """How well ``entry`` matches (``None`` unless every word occurs in some field).

    Per word: its best field's weight, plus a little for repeats; per field: a bonus when
    the words occur together in order, and the share of the field's words that matched.
    """
    total = 0.0
    for word in words:
        best = 0.0
        for field in entry.fields:
            count = sum(1 for token in field.tokens if token.folded == word)
            if count:
                best = max(best, field.weight * (1.0 + 0.1 * min(count - 1, 3)))
        if not best:
            return None
        total += best
    wanted = set(words)
    for field in entry.fields:
        if len(words) > 1 and _has_phrase(field.tokens, words):
            total += 2.0 * field.weight * len(words)
        if field.tokens:
            matched = sum(1 for token in field.tokens if token.folded in wanted)
            total += field.weight * matched / len(field.tokens)
    total -= 0.01 * math.log1p(len(entry.body.tokens))  # shorter texts first on a tie
    return min(max(total, 0.0), KIND_BAND - 1)


def _has_phrase(tokens: Sequence[Token], words: tuple[str, ...]) -> bool:
    """Whether ``words`` occur as consecutive words (punctuation between them ignored)."""
    folded = [token.folded for token in tokens]
    n = len(words)
    return any(tuple(folded[i : i + n]) == words for i in range(len(folded) - n + 1))


def _marks(field: Field, words: tuple[str, ...], lo: int = 0, hi: int | None = None) -> tuple[Span, ...]:
    hi = len(field.text) if hi is None else hi
    return tuple(
        (t.start - lo, t.end - lo)
        for t in field.tokens
        if t.start >= lo and t.end <= hi and t.folded in words
    )


def _snippet(field: Field, words: tuple[str, ...]) -> tuple[str, tuple[Span, ...]]:
    """A window of the body around its first match, cut at word boundaries."""
    text = field.text
    if len(text) <= SNIPPET_CHARS:
        return text, _marks(field, words)
    first = next((t.start for t in field.tokens if t.folded in words), 0)
    lo = max(0, first - SNIPPET_CHARS // 3)
    hi = min(len(text), lo + SNIPPET_CHARS)
    lo = max(0, hi - SNIPPET_CHARS)
    if lo > 0:
        lo = next((t.start for t in field.tokens if t.start >= lo), lo)
    if hi < len(text):
        hi = max((t.end for t in field.tokens if t.end <= hi), default=hi)
    marks = _marks(field, words, lo, hi)
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    shifted = tuple((a + len(prefix), b + len(prefix)) for a, b in marks)
    return f"{prefix}{text[lo:hi]}{suffix}", shifted


def _hit(entry: Entry, words: tuple[str, ...], relevance: float) -> Hit:
    snippet, snippet_marks = _snippet(entry.body, words)
    score = (len(KIND_RANK) - 1 - KIND_RANK[entry.kind]) * KIND_BAND + relevance
    return Hit(
        kind=entry.kind,
        title=entry.title.text,
        snippet=snippet,
        clause_ids=entry.clause_ids,
        module=entry.module,
        score=round(score, 4),
        title_marks=_marks(entry.title, words),
        snippet_marks=snippet_marks,
    )
