"""Plots, the facilitator guide, export hygiene, the pure core, the trainer notebooks and pages."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import nbformat
import pytest
from markupsafe import escape

from widgets.content.model import Course
from widgets.records.identity import STAFF
from widgets.records.statistics.items import ClauseStat
from widgets.records.statistics.scores import make_report
from widgets.records.store import Store
from widgets.reports import exports, plots
from widgets.reports.guide import guide_html

REPO = Path(__file__).resolve().parents[2]
PURE = [
    "widgets.records.statistics.filters",
    "widgets.records.statistics.completion",
    "widgets.records.statistics.scores",
    "widgets.records.statistics.items",
    "widgets.records.statistics.scenarios",
    "widgets.reports.roster",
    "widgets.reports.units",
    "widgets.reports.dashboard",
    "widgets.records.interchange.xapi",
    "widgets.records.interchange.export",
    "widgets.records.interchange.parse",
    "widgets.records.interchange.merge",
    "widgets.records.rooms",
    "widgets.reports.exports",
    "widgets.reports.plots",
    "widgets.reports.guide",
    "widgets.commands.records_io",
]


def glyph_warnings(fig: object, fmt: str = "png") -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.render(fig, fmt)  # type: ignore[arg-type]
    return [str(w.message) for w in caught if "Glyph" in str(w.message)]


def test_plots_draw_vietnamese_with_dejavu_sans() -> None:
    from matplotlib import font_manager

    assert (
        Path(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))).name
        == "DejaVuSans.ttf"
    )
    report = make_report("final", [], 0, 0, {})
    fig = plots.score_histogram(
        report, 80, title="Phân bố điểm — Bài kiểm tra tổng hợp (ước lượng, đạt ≥ 80%)"
    )
    assert glyph_warnings(fig) == []
    png = plots.render(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = plots.render(fig, "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<script" not in svg
    uri = plots.data_uri(fig)
    assert uri.startswith("data:image/png;base64,") and base64.b64decode(uri.split(",", 1)[1]) == png
    clauses = [ClauseStat("heads.1", "Người đứng đầu quán triệt, gương mẫu thực hiện", 3, 40, 0.35, 1, "q")]
    assert glyph_warnings(plots.clause_facility(clauses)) == []
    # the check itself can fail: a character DejaVu Sans lacks is reported
    assert glyph_warnings(plots.score_histogram(report, 80, title="漢字")) != []


def test_guide_covers_every_module_and_prints(real_course: Course) -> None:
    text = guide_html(real_course)
    for module in real_course.modules:
        assert f'data-module="{module.id}"' in text
        assert str(escape(module.title)) in text
    total = sum(m.teaching_minutes + m.exercise_minutes for m in real_course.modules)
    assert f"{total} phút" in text
    assert "Câu hỏi thảo luận" in text and "Hiểu lầm thường gặp" in text  # from the instructor blocks
    for scenario in real_course.scenarios:
        assert str(escape(scenario.title)) in text
    one = guide_html(real_course, ["nguoi-dung-dau"], standalone=True)
    assert one.startswith("<!DOCTYPE html>") and "@page" in one and "size: A4" in one
    assert one.count('class="nk-guide-module"') == 1 and "349-QĐ/TU" in one


def test_exports_keep_formula_like_text_as_text() -> None:
    import openpyxl

    table = exports.Table(
        "Đơn vị", ("Đơn vị", "Số"), (('=HYPERLINK("x")', 1), ("+1", -2.5), ("Sở Y tế", None))
    )
    rows = exports.to_csv(table).decode("utf-8-sig").splitlines()
    assert rows[1].startswith("\"'=HYPERLINK") and rows[2] == "'+1,-2.5" and rows[3] == "Sở Y tế,"
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx([table, table])))["Đơn vị"]
    assert (
        sheet["A2"].data_type == "s" and sheet["A2"].value == '=HYPERLINK("x")' and sheet["B3"].value == -2.5
    )


def test_reports_core_never_imports_ipywidgets() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in PURE) + "print('ipywidgets' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("name", "package"), [("dashboard", "trainer"), ("room", "rooms"), ("guide", "trainer")]
)
def test_trainer_notebooks_are_one_import_and_one_call(name: str, package: str) -> None:
    notebook = nbformat.read(REPO / "notebooks" / "trainer" / f"{name}.ipynb", as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code == [f"from widgets.views.{package} import {name}_page\n\n{name}_page()"]


def test_trainer_pages_on_an_empty_store_and_without_a_store(store: Store, course: Course) -> None:
    from widgets.views.rooms import RoomPage
    from widgets.views.trainer import DashboardPage, GuidePage

    empty = DashboardPage(course, store)
    assert 'data-figure="learners">0<' in empty.summary.value
    assert "Chưa có dữ liệu" in empty.items.value and "<img" not in empty.scores.value
    store.sign_in("Lò Văn Thoát", "Sở <b>Nội</b> vụ", STAFF)
    page = DashboardPage(course, store)
    assert (
        "Sở &lt;b&gt;Nội&lt;/b&gt; vụ" in page.completion.value and "<b>Nội</b>" not in page.completion.value
    )
    page.unit.value = "Sở <b>Nội</b> vụ"
    page.update.click()
    assert 'data-figure="learners">1<' in page.summary.value
    roster = (
        "Họ và tên,Đơn vị\nLò Văn Thoát,Sở <b>Nội</b> vụ\nLò Văn Vắng,Sở <b>Nội</b> vụ\n,Sở Y tế\n".encode()
    )
    upload = {
        "name": "ds.csv",
        "type": "text/csv",
        "size": len(roster),
        "content": memoryview(roster),
        "last_modified": datetime.now(UTC),
    }
    page.roster_upload.value = (upload,)
    assert 'data-figure="expected">2<' in page.summary.value and "Lò Văn Vắng" in page.completion.value
    assert "Dòng 4" in page.completion.value  # the unreadable roster line is reported
    page.since.value, page.until.value = date(2025, 3, 2), date(2025, 3, 1)
    assert page.refresh() is None and "không hợp lệ" in page.status.value
    for missing in (DashboardPage(course, None), RoomPage(course, None)):
        assert "Không mở được hồ sơ" in missing.children[-1].value
    guide = GuidePage(course)
    assert "tong-quan" in guide.body.value and "data:text/html;base64," in guide.print_link.value
    guide.module.value = "tong-quan"
    assert guide.body.value.count('class="nk-guide-module"') == 1
