"""The facilitator guide page: one module or all, on screen and as a printable HTML file."""

from __future__ import annotations

import ipywidgets as w

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.i18n import t
from widgets.render.fragments import render
from widgets.reports.guide import guide_html, guide_pdf
from widgets.views.trainer.common import download, html


class GuidePage(w.VBox):
    def __init__(self, course: Course) -> None:
        super().__init__()
        self.course = course
        self.add_class("nk-page")
        self.add_class("nk-trainer")
        self.module = w.Dropdown(
            options=[(t("trainer.filter.all_modules"), None), *((m.title, m.id) for m in course.modules)],
            description=t("trainer.filter.module"),
        )
        self.module.observe(lambda _: self.show(), names="value")
        self.body = w.HTML()
        self.body.add_class("nk-guide-box")
        self.print_link = w.HTML()
        header = html(
            "header", course=course, title=t("trainer.guide.title"), summary=course.directive.number
        )
        self.children = [header, w.HBox([self.module, self.print_link]), self.body]
        self.show()

    def show(self) -> None:
        ids = [self.module.value] if self.module.value else None
        self.body.value = guide_html(self.course, ids)
        document = guide_html(self.course, ids, standalone=True).encode("utf-8")
        name = f"huong-dan-giang-vien-{self.module.value or 'tat-ca'}.html"
        link = download(t("trainer.guide.print"), name, document, "text/html")
        pdf = download(
            t("trainer.guide.pdf"),
            name.replace(".html", ".pdf"),
            guide_pdf(self.course, ids),
            "application/pdf",
        )
        self.print_link.value = render("trainer_download", links=[link, pdf])


def guide_page(course: Course | None = None) -> GuidePage:
    """The facilitator guide of the configured course."""
    return GuidePage(course or load_course())
