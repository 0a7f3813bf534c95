"""Tra cứu: a search box over the clauses, FAQ, lessons and glossary; the FAQ when empty."""

from __future__ import annotations

import ipywidgets as w

from widgets.content.model import Course
from widgets.i18n import t
from widgets.knowledge import Hit, module_for_clauses, query_words, search
from widgets.render.fragments import render
from widgets.runtime.request import query_params
from widgets.views.context import page_session
from widgets.views.kiosk import kiosk_bar
from widgets.views.sitelinks import SiteLinks

QUERY_PARAM = "q"
"""``tra-cuu.ipynb?q=ruou+bia`` opens the page with that search done."""
ECHO_CHARS = 80


class SearchPage(w.VBox):
    """The box (``nk-search``), its button (``nk-search-submit``) and the results."""

    def __init__(self, course: Course, links: SiteLinks, query: str = "") -> None:
        super().__init__()
        self.course = course
        self.links = links
        self.hits: list[Hit] = []
        self.box = w.Text(
            value=query,
            placeholder=t("search.placeholder"),
            description=t("search.label"),
            continuous_update=False,
            layout=w.Layout(flex="1 1 auto", width="auto"),
        )
        self.box.add_class("nk-search")
        self.submit = w.Button(description=t("search.submit"), icon="search", button_style="primary")
        self.submit.add_class("nk-search-submit")
        self.results = w.HTML()
        self.results.add_class("nk-search-results")
        self.faq = w.HTML(render("faq_list", **self._faq_context()))
        self.faq.add_class("nk-faq-list")
        self.box.observe(lambda _: self.run(), names="value")
        self.submit.on_click(lambda _: self.run())
        header = w.HTML(render("header", course=course, title=t("search.title"), summary=t("search.intro")))
        self.children = [
            header,
            links.nav("search"),
            w.HBox([self.box, self.submit], layout=w.Layout(width="100%")),
            self.results,
            self.faq,
        ]
        self.add_class("nk-page")
        self.add_class("nk-search-page")
        self.run()

    def run(self) -> list[Hit]:
        """Search for the box's text; an empty box shows the FAQ instead of results."""
        query = self.box.value
        if not query_words(query):
            self.hits = []
            self.results.value = ""
            self.faq.layout.display = None
            return self.hits
        self.hits = search(self.course, query, limit=None)
        echo = " ".join(query.split())
        echo = echo if len(echo) <= ECHO_CHARS else f"{echo[:ECHO_CHARS]}…"
        status = (
            t("search.count", count=len(self.hits), query=echo) if self.hits else t("search.none", query=echo)
        )
        self.results.value = render(
            "search_results",
            hits=self.hits,
            status=status,
            clause_hrefs=self.links.clauses(self.course),
            module_hrefs=self.links.modules(self.course),
        )
        self.faq.layout.display = "none"
        return self.hits

    def _faq_context(self) -> dict[str, object]:
        entries = [(item, module_for_clauses(self.course, item.cites)) for item in self.course.faq]
        return {
            "entries": entries,
            "clause_hrefs": self.links.clauses(self.course),
            "module_hrefs": self.links.modules(self.course),
        }


def search_page(course: Course | None = None) -> SearchPage:
    """The Tra cứu page for the learner named in the URL (links keep ``?learner=``/``?kiosk=``)."""
    course, _, session = page_session(course)
    page = SearchPage(course, SiteLinks.of(session), query_params().get(QUERY_PARAM, ""))
    if bar := kiosk_bar(session):
        header, nav, *rest = page.children
        page.children = [header, nav, bar, *rest]
    return page
