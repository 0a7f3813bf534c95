"""Thuật ngữ (the glossary, in Vietnamese alphabetical order) and the directive's full text."""

from __future__ import annotations

import ipywidgets as w

from widgets.collation import initial, sort_key
from widgets.content.model import Course, Module, Term
from widgets.i18n import t
from widgets.knowledge import module_for_clauses, teaching_module, term_slug
from widgets.render.fragments import render
from widgets.views.context import page_session
from widgets.views.kiosk import kiosk_bar
from widgets.views.sitelinks import SiteLinks


def _page(
    course: Course, links: SiteLinks, key: str, title: str, body: w.Widget, bar: w.Widget | None
) -> w.VBox:
    header = w.HTML(render("header", course=course, title=title, summary=""))
    page = w.VBox([header, links.nav(key), *([bar] if bar else []), body, links.nav(key)])
    page.add_class("nk-page")
    page.add_class(f"nk-{key}-page")
    return page


def _links(course: Course | None) -> tuple[Course, SiteLinks, w.Widget | None]:
    """The course, the page's links and its kiosk controls (if any)."""
    course, _, session = page_session(course)
    return course, SiteLinks.of(session), kiosk_bar(session)


def glossary_groups(course: Course) -> list[tuple[str, list[tuple[Term, str, Module | None]]]]:
    """Terms sorted alphabetically, grouped by initial: ``[(letter, [(term, slug, module)])]``."""
    groups: dict[str, list[tuple[Term, str, Module | None]]] = {}
    for term in sorted(course.glossary, key=lambda term: sort_key(term.name)):
        entry = (term, term_slug(term.name), module_for_clauses(course, term.cites))
        groups.setdefault(initial(term.name), []).append(entry)
    return list(groups.items())


def glossary_page(course: Course | None = None) -> w.VBox:
    """Every term of the glossary (``nk-term`` each, anchored ``#term-<slug>``)."""
    course, links, bar = _links(course)
    body = w.HTML(
        render(
            "glossary",
            groups=glossary_groups(course),
            clause_hrefs=links.clauses(course),
            module_hrefs=links.modules(course),
        )
    )
    return _page(course, links, "glossary", t("glossary.title"), body, bar)


def directive_page(course: Course | None = None) -> w.VBox:
    """The directive clause by clause (``nk-clause``, anchored ``#clause-<id>``)."""
    course, links, bar = _links(course)
    directive = course.directive
    clauses = [(clause, teaching_module(course, clause.id)) for clause in directive.clauses]
    body = w.HTML(
        render("directive_text", directive=directive, clauses=clauses, module_hrefs=links.modules(course))
    )
    return _page(course, links, "directive", directive.number, body, bar)
