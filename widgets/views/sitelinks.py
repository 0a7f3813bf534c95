"""Links between the site's pages that keep the signed-in learner (``?learner=``, or
``?kiosk=<token>`` on a kiosk)."""

from __future__ import annotations

import dataclasses as dc

import ipywidgets as w

from widgets.content.model import Course
from widgets.session import LearnerSession
from widgets.views.context import KIOSK_PARAM, LEARNER_PARAM
from widgets.views.fragments import render
from widgets.views.request import page_link

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
    """Hrefs for one learner (or a guest when ``value`` is ``None``): ``?<param>=<value>``."""

    value: str | None = None
    param: str = LEARNER_PARAM

    @classmethod
    def of(cls, session: LearnerSession | None) -> SiteLinks:
        """The links of a page: the kiosk token if the session has one, else the learner ID."""
        if session is None:
            return cls()
        if session.kiosk_token is not None:
            return cls(session.kiosk_token, KIOSK_PARAM)
        return cls(session.learner.id)

    def page(self, notebook: str) -> str:
        return page_link(notebook, **{self.param: self.value})

    def clause(self, clause_id: str) -> str:
        """The clause on the full-text page: ``van-ban.ipynb?learner=…#clause-<id>``."""
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
