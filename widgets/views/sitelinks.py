"""Links between the site's pages that keep the signed-in learner's session (``?session=<token>``;
never a learner ID)."""

from __future__ import annotations

import dataclasses as dc

import ipywidgets as w

from widgets.content.model import Course
from widgets.render.fragments import render
from widgets.runtime.request import page_link
from widgets.session import LearnerSession
from widgets.views.context import SESSION_PARAM

HOME_NOTEBOOK = "home.ipynb"
SEARCH_NOTEBOOK = "tra-cuu.ipynb"
GLOSSARY_NOTEBOOK = "thuat-ngu.ipynb"
DIRECTIVE_NOTEBOOK = "van-ban.ipynb"
CERTIFICATE_NOTEBOOK = "chung-nhan.ipynb"
SITE_PAGES = (
    ("home", HOME_NOTEBOOK),
    ("search", SEARCH_NOTEBOOK),
    ("glossary", GLOSSARY_NOTEBOOK),
    ("directive", DIRECTIVE_NOTEBOOK),
    ("certificate", CERTIFICATE_NOTEBOOK),
)
"""Navigation key (``nav.<key>`` in the catalogues) → notebook, in menu order."""


def clause_anchor(clause_id: str) -> str:
    """The ``id`` of a clause on the full-text page (``clause-officials.1``)."""
    return f"clause-{clause_id}"


@dc.dataclass(frozen=True, slots=True)
class SiteLinks:
    """Hrefs for one session (or a guest when ``value`` is ``None``): ``?<param>=<value>``."""

    value: str | None = None
    param: str = SESSION_PARAM

    @classmethod
    def of(cls, session: LearnerSession | None) -> SiteLinks:
        """The links of a page: the session's token (a session without one links as a guest)."""
        if session is None or session.token is None:
            return cls()
        return cls(session.token, SESSION_PARAM)

    def page(self, notebook: str) -> str:
        return page_link(notebook, **{self.param: self.value})

    def clause(self, clause_id: str) -> str:
        """The clause on the full-text page: ``van-ban.ipynb?session=…#clause-<id>``."""
        return f"{self.page(DIRECTIVE_NOTEBOOK)}#{clause_anchor(clause_id)}"

    def clauses(self, course: Course) -> dict[str, str]:
        return {clause_id: self.clause(clause_id) for clause_id in course.directive.clause_ids}

    def modules(self, course: Course) -> dict[str, str]:
        return {module.id: self.page(module.notebook) for module in course.modules}

    def nav(self, current: str) -> w.HTML:
        """The reference pages' menu, ``current`` marked as the page shown."""
        return w.HTML(self.nav_html(current))

    def nav_html(self, current: str) -> str:
        """The menu's HTML, for pages that show it within a larger fragment."""
        links = [(key, self.page(notebook)) for key, notebook in SITE_PAGES]
        return render("site_nav", links=links, current=current)
