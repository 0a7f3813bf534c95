"""The trainer dashboard: filters, completion, scores, item analysis, clauses, scenarios, exports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import ipywidgets as w

from widgets.content.model import Course, ModuleKind
from widgets.engine.mastery import MasteryState
from widgets.i18n import t
from widgets.records.identity import ROLES
from widgets.records.policy import COURSE_TZ, FINAL_ID
from widgets.records.statistics.filters import Filters
from widgets.records.statistics.items import ALL, FIRST, MIN_RESPONSES, TOO_EASY, TOO_HARD
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.reports import exports, plots, retention
from widgets.reports.dashboard import DashboardData, build_dashboard
from widgets.reports.roster import Roster, parse_roster
from widgets.views.trainer.common import day_end, day_start, download, html, trainer_context
from widgets.views.trainer.dates import DayFormatError, DayInput

MAX_LEARNER_ROWS = 300
"""Learners listed on screen; the CSV/XLSX export has them all."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RETENTION_TAB = 4
"""The "Ghi nhớ" tab's place (its figures are worked out when it is opened)."""


class DashboardPage(w.VBox):
    """Filters on top; one tab per report; recomputed on "Cập nhật"."""

    def __init__(self, course: Course, store: Store | None) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self.roster: Roster | None = None
        self.data: DashboardData | None = None
        self.add_class("nk-page")
        self.add_class("nk-trainer")
        header = html(
            "header", course=course, title=t("trainer.dashboard.title"), summary=course.directive.number
        )
        if store is None:
            self.children = [header, html("message", text=t("trainer.unavailable"), kind="error")]
            return
        units, _ = store.statistics.filter_values()
        everything = t("trainer.filter.all")
        # "All" is "" rather than None: ipywidgets takes a None value for "nothing selected" and
        # the browser then showed an empty dropdown now and then.
        self.since = DayInput(t("trainer.filter.since"))
        self.until = DayInput(t("trainer.filter.until"))
        self.unit = w.Dropdown(
            options=[(everything, ""), *((u, u) for u in units)], description=t("trainer.filter.unit")
        )
        self.role = w.Dropdown(
            options=[(everything, ""), *((r, r) for r in ROLES)], description=t("trainer.filter.role")
        )
        modules = [m for m in course.modules if m.questions or m.scenarios]
        self.module = w.Dropdown(
            options=[(t("trainer.filter.all_modules"), ""), *((m.title, m.id) for m in modules)],
            description=t("trainer.filter.module"),
        )
        self.which = w.Dropdown(
            options=[(t("trainer.filter.first"), FIRST), (t("trainer.filter.all_attempts"), ALL)],
            description=t("trainer.filter.which"),
        )
        self.roster_upload = w.FileUpload(
            accept=".csv", multiple=False, description=t("trainer.filter.roster")
        )
        self.roster_upload.observe(self._roster_changed, names="value")
        self.update = w.Button(description=t("trainer.filter.update"), button_style="primary", icon="refresh")
        self.update.on_click(lambda _: self.refresh())
        self.update.add_class("nk-dashboard-update")
        self.status = w.HTML()
        for widget in (self.since.text, self.until.text, self.unit, self.role, self.module, self.which):
            widget.style.description_width = "initial"  # the label's own width (CSS: one line)
            widget.layout.width = "auto"
        controls = w.Box(
            [
                self.since,
                self.until,
                self.unit,
                self.role,
                self.module,
                self.which,
                self.roster_upload,
                self.update,
            ]
        )
        controls.add_class("nk-filter-row")
        filters = w.VBox([controls, self.status])
        filters.add_class("nk-dashboard-filters")
        self.summary = w.HTML()
        self.completion = w.HTML()
        self.scores = w.HTML()
        self.items = w.HTML()
        self.clauses = w.HTML()
        self.scenarios = w.HTML()
        self.retention = w.HTML()
        self.retention.add_class("nk-retention")
        self.retention_shown = False
        self.export_button = w.Button(description=t("trainer.export.make"), icon="download")
        self.export_button.on_click(lambda _: self.make_exports())
        self.export_links = w.HTML()
        self.tabs = w.Tab(
            children=[
                self.completion,
                self.scores,
                self.items,
                self.clauses,
                self.retention,
                self.scenarios,
                w.VBox(
                    [
                        html("message", text=t("trainer.export.hint"), kind="info"),
                        self.export_button,
                        self.export_links,
                    ]
                ),
            ]
        )
        self.tabs.titles = tuple(
            t(f"trainer.tab.{name}")
            for name in ("completion", "scores", "items", "clauses", "retention", "scenarios", "export")
        )
        self.tabs.observe(self._tab_changed, names="selected_index")
        self.children = [html("trainer_style"), header, filters, self.summary, self.tabs]
        self.refresh()

    def filters(self) -> Filters:
        return Filters(
            since=day_start(self.since.value),
            until=day_end(self.until.value),
            units=(self.unit.value,) if self.unit.value else (),
            roles=(self.role.value,) if self.role.value else (),
            module_id=self.module.value or None,
        )

    def refresh(self) -> DashboardData | None:
        """Recompute every section for the current filters and show it."""
        assert self.store is not None
        try:
            filters = self.filters()
        except DayFormatError:
            self.status.value = render("message", text=t("trainer.filter.bad_day"), kind="warning")
            return None
        except ValueError:
            self.status.value = render("message", text=t("trainer.filter.bad_range"), kind="warning")
            return None
        self.status.value = ""
        data = build_dashboard(
            self.store.statistics, self.course, filters, roster=self.roster, which=self.which.value
        )
        self.data = data
        self.show(data)
        self.export_links.value = ""
        self.retention_shown = False
        if self.tabs.selected_index == RETENTION_TAB:
            self.show_retention()
        return data

    def show_retention(self) -> retention.Retention | None:
        """Retention by clause for the current filters (worked out when its tab is opened)."""
        assert self.store is not None
        try:
            filters = self.filters()
        except ValueError:
            return None
        found = retention.retention(self.store.statistics, self.course, filters)
        self.retention.value = retention_html(found)
        self.retention_shown = True
        return found

    def _tab_changed(self, change: dict[str, Any]) -> None:
        if change["new"] == RETENTION_TAB and not self.retention_shown:
            self.show_retention()

    def quiz_title(self, quiz_id: str) -> str:
        if quiz_id == FINAL_ID:
            return t("trainer.quiz.final")
        return self.course.module(quiz_id).title

    def show(self, data: DashboardData) -> None:
        learners = data.learners
        expected = sum(u.expected or 0 for u in data.units) if self.roster and self.roster.counts else None
        self.summary.value = render(
            "trainer_summary",
            learners=len(learners),
            all_modules=sum(1 for row in learners if row.all_modules),
            final_passed=sum(1 for row in learners if row.final_passed),
            certified=sum(1 for row in learners if row.certified),
            expected=expected,
        )
        titles = self._module_titles()
        learner_table = exports.learner_table(learners[:MAX_LEARNER_ROWS], titles)
        self.completion.value = render(
            "trainer_units",
            table=exports.unit_table(data.units),
            problems=self.roster.problems if self.roster else (),
        ) + render(
            "trainer_learners",
            table=learner_table,
            hidden=len(learners) > MAX_LEARNER_ROWS,
            total=len(learners),
        )
        quiz_title = self.quiz_title(data.quiz_id)
        score_plot = (
            plots.data_uri(plots.score_histogram(data.scores, data.pass_mark))
            if data.scores.learners
            else None
        )
        self.scores.value = render(
            "trainer_scores", report=data.scores, plot=score_plot, quiz_title=quiz_title
        )
        labels = {clause.id: clause.label for clause in self.course.directive.clauses}
        self.items.value = render(
            "trainer_items",
            items=data.items,
            labels=labels,
            quiz_title=quiz_title,
            easy=round(100 * TOO_EASY),
            hard=round(100 * TOO_HARD),
            min_n=MIN_RESPONSES,
        )
        answered = [c for c in data.clauses if c.facility is not None]
        clause_plot = plots.data_uri(plots.clause_facility(answered)) if answered else None
        self.clauses.value = render("trainer_clauses", clauses=data.clauses, plot=clause_plot)
        reached = [node for node in data.nodes if node.reached]
        node_plot = plots.data_uri(plots.node_ratings(reached)) if reached else None
        self.scenarios.value = render("trainer_scenarios", nodes=data.nodes, plot=node_plot)

    def make_exports(self) -> None:
        """CSV of each table and one XLSX workbook, offered as download links."""
        data = self.data
        if data is None:
            return
        tables = [
            exports.learner_table(data.learners, self._module_titles()),
            exports.unit_table(data.units),
            exports.item_table(data.items),
            exports.clause_table(data.clauses),
        ]
        stems = ("hoan-thanh-nguoi-hoc", "hoan-thanh-don-vi", "phan-tich-cau-hoi", "theo-yeu-cau")
        links = [
            download(f"{table.name} (CSV)", f"{stem}.csv", exports.to_csv(table), "text/csv")
            for table, stem in zip(tables, stems, strict=True)
        ]
        links.append(
            download(t("trainer.export.xlsx"), "bao-cao-neu-guong.xlsx", exports.to_xlsx(tables), XLSX)
        )
        self.export_links.value = render("trainer_download", links=links)

    def _module_titles(self) -> dict[str, str]:
        return {
            m.id: m.title
            for m in self.course.modules
            if m.kind is not ModuleKind.ASSESSMENT and (m.questions or m.scenarios)
        }

    def _roster_changed(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            self.roster = None
        else:
            content = bytes(files[0]["content"]).decode("utf-8-sig", errors="replace")
            self.roster = parse_roster(content)
        self.refresh()


def retention_html(found: retention.Retention) -> str:
    """The "Ghi nhớ" tab: the plot, then one row per clause, the most forgotten first."""
    last = len(found.moments) - 1
    rows = [
        {
            "clause_id": c.clause_id,
            "label": c.label or c.clause_id,
            "mastered": 100 * found.share(c.clause_id, MasteryState.MASTERED)[last],
            "due": 100 * found.share(c.clause_id, MasteryState.DUE)[last],
            "ever": c.ever_mastered,
            "forgot": c.forgot,
            "rate": None if c.forget_rate is None else 100 * c.forget_rate,
        }
        for c in found.most_forgotten()
    ]
    met = any(n < found.learners for c in found.clauses for n in c.counts[MasteryState.NEW])
    plot = plots.data_uri(plots.retention_plot(found)) if met else None
    last_day = found.moments[-1] - timedelta(microseconds=1)  # a moment ends a period
    return render("trainer_retention", rows=rows, plot=plot, until=full_date(last_day))


def full_date(moment: datetime) -> str:
    """``dd/mm/yyyy`` in the course's time zone, whatever the browser's locale."""
    return moment.astimezone(COURSE_TZ).strftime("%d/%m/%Y")


def dashboard_page(course: Course | None = None, store: Store | None = None) -> DashboardPage:
    """The trainer dashboard for the configured records store."""
    return DashboardPage(*trainer_context(course, store))
