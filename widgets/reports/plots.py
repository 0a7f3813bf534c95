"""Plots for the dashboard: matplotlib figures (Agg canvas, no pyplot, no display backend)
with DejaVu Sans, which ships with matplotlib and has every Vietnamese letter, rendered to
PNG or SVG bytes that the views embed as ``data:`` images — nothing is fetched, so they work
offline in Voila."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import datetime, timedelta

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from widgets.engine.mastery import MasteryState
from widgets.i18n import t
from widgets.records.policy import COURSE_TZ
from widgets.records.statistics.items import TOO_EASY, TOO_HARD, ClauseStat
from widgets.records.statistics.scenarios import RATINGS, NodeStat
from widgets.records.statistics.scores import BINS, ScoreReport
from widgets.reports.retention import Retention

FONT: dict[RcKeyType, object] = {"font.family": "DejaVu Sans", "font.size": 10, "svg.fonttype": "path"}
COLOURS = {
    "bar": "#1f5f99",
    "pass": "#b3261e",
    "best": "#2e7d32",
    "acceptable": "#f9a825",
    "violation": "#c62828",
}


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(FONT):
        fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def render(fig: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    """The figure as PNG or SVG bytes."""
    if fmt not in ("png", "svg"):
        raise ValueError("fmt must be png or svg")
    buffer = io.BytesIO()
    with matplotlib.rc_context(FONT):
        fig.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()


def data_uri(fig: Figure, fmt: str = "png") -> str:
    """``data:image/...;base64,…`` for an ``<img src>`` (a script in an SVG never runs there)."""
    mime = "image/png" if fmt == "png" else "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(render(fig, fmt)).decode('ascii')}"


def score_histogram(report: ScoreReport, pass_mark: int | None = None, title: str = "") -> Figure:
    """Learners per band of 10 points of their counted score; the pass mark as a line."""
    with matplotlib.rc_context(FONT):
        fig = _figure(6.4, 3.2)
        ax = fig.add_subplot()
        width = 100 / BINS
        lefts = [i * width for i in range(BINS)]
        ax.bar(lefts, report.histogram, width=width * 0.9, align="edge", color=COLOURS["bar"])
        ax.set_xlim(0, 100)
        ax.set_xticks([*lefts, 100])
        ax.set_xlabel(t("trainer.plot.score_axis"))
        ax.set_ylabel(t("trainer.plot.learners_axis"))
        ax.set_title(title or t("trainer.plot.score_title"))
        if pass_mark is not None:
            ax.axvline(pass_mark, color=COLOURS["pass"], linestyle="--", linewidth=1.5)
            ax.annotate(
                t("trainer.plot.pass_mark", mark=pass_mark),
                (pass_mark, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -12),
                textcoords="offset points",
                color=COLOURS["pass"],
            )
        if isinstance(locator := ax.yaxis.get_major_locator(), MaxNLocator):  # the default AutoLocator is one
            locator.set_params(integer=True)
    return fig


def clause_facility(clauses: Sequence[ClauseStat]) -> Figure:
    """Facility per clause (least understood at the top), with the too-hard/too-easy lines."""
    shown = [c for c in clauses if c.facility is not None]
    with matplotlib.rc_context(FONT):
        fig = _figure(6.4, max(2.0, 0.35 * len(shown) + 1.2))
        ax = fig.add_subplot()
        labels = [f"{c.clause_id} — {c.label[:40]}" if c.label else c.clause_id for c in shown]
        values = [100.0 * (c.facility or 0.0) for c in shown]
        ax.barh(range(len(shown)), values, color=COLOURS["bar"])
        ax.set_yticks(range(len(shown)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.axvline(100 * TOO_HARD, color=COLOURS["violation"], linestyle=":", linewidth=1)
        ax.axvline(100 * TOO_EASY, color=COLOURS["acceptable"], linestyle=":", linewidth=1)
        ax.set_xlabel(t("trainer.plot.facility_axis"))
        ax.set_title(t("trainer.plot.clause_title"))
    return fig


def node_ratings(nodes: Sequence[NodeStat]) -> Figure:
    """For each decision, the shares of first choices rated best / acceptable / violation."""
    shown = [node for node in nodes if node.reached]
    with matplotlib.rc_context(FONT):
        fig = _figure(6.4, max(2.0, 0.35 * len(shown) + 1.4))
        ax = fig.add_subplot()
        left = [0.0] * len(shown)
        for rating in RATINGS:
            values = [100.0 * (node.share_by_rating()[rating] or 0.0) for node in shown]
            ax.barh(
                range(len(shown)),
                values,
                left=left,
                color=COLOURS[rating],
                label=t(f"scenario.rating.{rating}"),
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.set_yticks(range(len(shown)), [f"{node.scenario_id} / {node.node_id}" for node in shown])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(t("trainer.plot.share_axis"))
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
    return fig


def retention_plot(retention: Retention) -> Figure:
    """Per clause (rows) and moment (columns), the share of the learners "đã vững" and "cần ôn":
    two heat tables with the percentage written in each cell (not colour alone)."""
    shown = retention.clauses
    dates = [day_month(m) for m in retention.moments]
    with matplotlib.rc_context(FONT):
        fig = _figure(max(6.4, 4.2 + 0.55 * len(dates) * 2), max(2.4, 0.34 * len(shown) + 1.6))
        axes = fig.subplots(1, 2, sharey=True)
        labels = [f"{c.label[:42]}{'…' if len(c.label) > 42 else ''}" or c.clause_id for c in shown]
        for ax, state, cmap in zip(
            axes, (MasteryState.MASTERED, MasteryState.DUE), ("Greens", "Oranges"), strict=True
        ):
            values = [[100.0 * v for v in retention.share(c.clause_id, state)] for c in shown]
            ax.imshow(values or [[0.0]], cmap=cmap, vmin=0, vmax=100, aspect="auto")
            for row, line in enumerate(values):
                for col, value in enumerate(line):
                    ax.text(
                        col,
                        row,
                        f"{value:.0f}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if value > 60 else "black",
                    )
            ax.set_xticks(range(len(dates)), dates, rotation=90 if len(dates) > 6 else 0)
            ax.set_title(t(f"mastery.state.{state.value}") + " (%)")
            ax.set_xlabel(t("trainer.plot.retention_axis"))
        axes[0].set_yticks(range(len(shown)), labels)
        fig.suptitle(t("trainer.plot.retention_title", learners=retention.learners))
    return fig


def day_month(moment: datetime) -> str:
    """``dd/mm`` in the course's time zone (the moment is a period's end: the day before it)."""
    return (moment.astimezone(COURSE_TZ) - timedelta(microseconds=1)).strftime("%d/%m")
