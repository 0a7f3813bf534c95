"""The trainer's audit page: the trail of sign-ins, wrong PINs, lockouts, PIN resets, finals and
certificates, with filters and a CSV export; and the PIN reset (logged in the same trail)."""

from __future__ import annotations

import ipywidgets as w

from widgets.content.model import Course
from widgets.i18n import t
from widgets.records import audit
from widgets.records.errors import RecordsError
from widgets.records.models import Learner
from widgets.records.policy import COURSE_TZ
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.views.trainer.common import day_end, day_start, download, html, trainer_context
from widgets.views.trainer.dates import DayFormatError, DayInput

MAX_ROWS = 500
"""Events listed on screen; the CSV has up to :data:`MAX_EXPORT`."""
MAX_EXPORT = 100_000


class AuditPage(w.VBox):
    """Filters (event, learner, days typed as dd/mm/yyyy), the events newest first, the CSV, and
    the PIN reset."""

    def __init__(self, course: Course, store: Store | None) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self.add_class("nk-page")
        self.add_class("nk-trainer")
        self.add_class("nk-audit")
        header = html("header", course=course, title=t("audit.title"), summary=course.directive.number)
        if store is None:
            self.children = [header, html("message", text=t("trainer.unavailable"), kind="error")]
            return
        self.event = w.Dropdown(
            options=[(t("audit.all_events"), None), *((t(f"audit.ev.{e}"), e) for e in audit.EVENTS)],
            description=t("audit.event"),
        )
        self.event.add_class("nk-audit-event")
        self.learner = w.Text(description=t("audit.learner"))
        self.learner.add_class("nk-audit-learner")
        # dd/mm/yyyy whatever the browser's locale (a browser date picker follows the locale).
        self.since = DayInput(t("audit.since"))
        self.until = DayInput(t("audit.until"))
        self.apply = w.Button(description=t("audit.filter"), button_style="primary")
        self.apply.add_class("nk-audit-filter")
        self.apply.on_click(lambda _: self.refresh())
        self.table = w.HTML()
        self.table.add_class("nk-audit-events")
        self.export = w.HTML()
        self.export.add_class("nk-audit-export")
        self.status = w.HTML()
        self.status.add_class("nk-audit-status")
        rows = [w.HBox([self.event, self.learner]), w.HBox([self.since, self.until])]
        for row in rows:  # the dashboard's filter rows: each label on one line, beside its control
            row.add_class("nk-filter-row")
        filters = w.VBox([*rows, self.apply, self.status])
        filters.add_class("nk-audit-filters")
        self.reset_box = PinReset(store, on_reset=self.refresh)
        self.children = [
            header,
            html("message", text=t("audit.lead"), kind="info"),
            filters,
            self.export,
            self.table,
            self.reset_box,
        ]
        self.refresh()

    def _query(self, limit: int) -> list[audit.AuditEvent]:
        assert self.store is not None
        ids = None
        if self.learner.value.strip():
            ids = [learner.id for learner in self.store.search_learners(self.learner.value, limit=500)]
        return self.store.audit_events(
            event=self.event.value,
            learner_ids=ids,
            since=day_start(self.since.value),
            until=day_end(self.until.value),
            limit=limit,
        )

    def refresh(self) -> None:
        """Read the trail with the filters shown; the table and the CSV link follow. A day not
        typed as dd/mm/yyyy leaves them as they were, with a warning."""
        assert self.store is not None
        try:
            events = self._query(MAX_EXPORT)
        except DayFormatError:
            self.status.value = render("message", text=t("trainer.filter.bad_day"), kind="warning")
            return
        self.status.value = ""
        names = self._names({e.learner_id for e in events if e.learner_id})
        shown = [
            {
                "time": e.at.astimezone(COURSE_TZ).strftime("%d/%m/%Y %H:%M:%S"),
                "event": e.event,
                "label": t(f"audit.ev.{e.event}") if e.event in audit.EVENTS else e.event,
                "learner": names.get(e.learner_id or "", e.learner_id or ""),
                "detail": e.detail,
            }
            for e in events[:MAX_ROWS]
        ]
        self.table.value = render("trainer_audit", events=shown)
        data = audit.to_csv(events, names).encode("utf-8-sig")  # a BOM: Excel reads the diacritics
        link = download(t("audit.export"), "nhat-ky.csv", data, "text/csv")
        self.export.value = render("trainer_download", links=[link])

    def _names(self, ids: set[str]) -> dict[str, str]:
        assert self.store is not None
        out = {}
        for learner_id in ids:
            learner = self.store.get_learner(learner_id)
            if learner is not None:
                out[learner_id] = f"{learner.full_name} ({learner.unit})"
        return out


class PinReset(w.VBox):
    """Find a learner (staff code, name or unit) and reset their PIN; the reset is audited."""

    def __init__(self, store: Store, *, on_reset: object = None) -> None:
        super().__init__()
        self.store = store
        self._on_reset = on_reset
        self.query = w.Text(description=t("audit.learner"))
        self.query.add_class("nk-pin-reset-query")
        self.find = w.Button(description=t("audit.find"))
        self.find.add_class("nk-pin-reset-find")
        self.find.on_click(lambda _: self.search())
        self.choice = w.Dropdown(options=[], description="")
        self.choice.add_class("nk-pin-reset-choice")
        self.reset = w.Button(description=t("audit.reset"), button_style="warning", disabled=True)
        self.reset.add_class("nk-pin-reset")
        self.reset.on_click(lambda _: self.reset_chosen())
        self.message = w.HTML()
        self.message.add_class("nk-pin-reset-message")
        self.children = [
            w.HTML(render("heading", text=t("audit.reset_heading"))),
            w.HTML(render("message", text=t("audit.reset_lead"), kind="info")),
            w.HBox([self.query, self.find]),
            w.HBox([self.choice, self.reset]),
            self.message,
        ]
        self.add_class("nk-pin-reset-box")

    def search(self) -> list[Learner]:
        found = self.store.search_learners(self.query.value)
        self.choice.options = [(t("audit.found", name=p.full_name, unit=p.unit), p.id) for p in found]
        self.choice.index = 0 if found else None
        self.reset.disabled = not found
        self.message.value = "" if found else render("message", text=t("audit.not_found"), kind="warning")
        return found

    def reset_chosen(self) -> None:
        learner_id = self.choice.value
        if not learner_id:
            return
        learner = self.store.get_learner(learner_id)
        try:
            self.store.reset_pin(learner_id, by="trainer site")
        except RecordsError as error:
            self.message.value = render("message", text=str(error), kind="error")
            return
        name = learner.full_name if learner else learner_id
        unit = learner.unit if learner else ""
        self.message.value = render("message", text=t("audit.reset_done", name=name, unit=unit), kind="info")
        if callable(self._on_reset):
            self._on_reset()


def audit_page(course: Course | None = None, store: Store | None = None) -> AuditPage:
    """The audit page (trainer site only)."""
    return AuditPage(*trainer_context(course, store))
