"""Tables for the office: completion per learner and per unit, item analysis, clauses —
as CSV (UTF-8 with BOM, so Excel shows Vietnamese correctly) or one XLSX workbook."""

from __future__ import annotations

import csv
import dataclasses as dc
import io
from collections.abc import Mapping, Sequence

from widgets.i18n import t
from widgets.records.statistics.completion import LearnerCompletion
from widgets.records.statistics.items import ClauseStat, ItemStat
from widgets.reports.units import UnitCompletion

Cell = str | int | float | None


@dc.dataclass(frozen=True, slots=True)
class Table:
    name: str
    """Sheet name (at most 31 characters) and file stem."""
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100.0 * value, 1)


def learner_table(rows: Sequence[LearnerCompletion], module_titles: Mapping[str, str]) -> Table:
    """One row per learner: identity, each module done (1/0), final score, certificate."""
    modules = list(module_titles)
    headers = (
        t("trainer.col.name"),
        t("trainer.col.unit"),
        t("trainer.col.role"),
        t("trainer.col.modules_done"),
        *(module_titles[m] for m in modules),
        t("trainer.col.final_percent"),
        t("trainer.col.final_passed"),
        t("trainer.col.certified"),
    )
    body = tuple(
        (
            row.learner.full_name,
            row.learner.unit,
            row.learner.role,
            len(row.done),
            *(int(m in row.done) for m in modules),
            None if row.final_percent is None else round(row.final_percent, 1),
            int(row.final_passed),
            int(row.certified),
        )
        for row in rows
    )
    return Table(t("trainer.sheet.learners"), headers, body)


def unit_table(rows: Sequence[UnitCompletion]) -> Table:
    headers = (
        t("trainer.col.unit"),
        t("trainer.col.expected"),
        t("trainer.col.signed_in"),
        t("trainer.col.all_modules"),
        t("trainer.col.final_passed"),
        t("trainer.col.certified"),
        t("trainer.col.certified_share"),
        t("trainer.col.not_signed_in"),
        t("trainer.col.not_finished"),
    )
    body = tuple(
        (
            row.unit,
            row.expected,
            row.signed_in,
            row.all_modules,
            row.final_passed,
            row.certified,
            _percent(row.share_certified),
            "; ".join(row.not_signed_in),
            "; ".join(row.not_finished),
        )
        for row in rows
    )
    return Table(t("trainer.sheet.units"), headers, body)


def item_table(items: Sequence[ItemStat]) -> Table:
    headers = (
        t("trainer.col.question"),
        t("trainer.col.module"),
        t("trainer.col.cites"),
        t("trainer.col.n"),
        t("trainer.col.facility"),
        t("trainer.col.sd"),
        t("trainer.col.discrimination"),
        t("trainer.col.wrong"),
        t("trainer.col.wrong_count"),
        t("trainer.col.flags"),
    )
    body = tuple(
        (
            item.question_id,
            item.module_id,
            ", ".join(item.cites),
            item.n,
            _percent(item.facility),
            _percent(item.sd),
            None if item.discrimination is None else round(item.discrimination, 1),
            item.wrong.label if item.wrong else None,
            item.wrong.count if item.wrong else None,
            ", ".join(t(f"trainer.flag.{flag}") for flag in item.flags),
        )
        for item in items
    )
    return Table(t("trainer.sheet.items"), headers, body)


def clause_table(clauses: Sequence[ClauseStat]) -> Table:
    headers = (
        t("trainer.col.clause"),
        t("trainer.col.clause_label"),
        t("trainer.col.items"),
        t("trainer.col.n"),
        t("trainer.col.facility"),
        t("trainer.col.flagged"),
        t("trainer.col.weakest"),
    )
    body = tuple(
        (c.clause_id, c.label, c.items, c.responses, _percent(c.facility), c.flagged, c.weakest)
        for c in clauses
    )
    return Table(t("trainer.sheet.clauses"), headers, body)


def to_csv(table: Table) -> bytes:
    """The table as CSV bytes: UTF-8 with BOM, comma-separated, CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows([_csv_cell(cell) for cell in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One workbook, one sheet per table (bold header, frozen first row, sensible widths)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with
    used: set[str] = set()
    for table in tables:
        title = _sheet_title(table.name, used)
        sheet = book.create_sheet(title)
        sheet.append(list(table.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for number, row in enumerate(table.rows, start=2):
            sheet.append(list(row))
            for column, value in enumerate(row, start=1):
                if isinstance(value, str) and value.startswith("="):  # text, not a formula
                    sheet.cell(number, column).data_type = "s"
        sheet.freeze_panes = "A2"
        for index, header in enumerate(table.headers, start=1):
            width = max([len(str(header)), *(len(str(row[index - 1] or "")) for row in table.rows[:200])])
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(60, max(8, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join("_" if char in "[]:*?/\\" else char for char in name)[:31] or "Sheet"
    title, n = base, 2
    while title in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _csv_cell(value: Cell) -> Cell:
    """Text a spreadsheet would read as a formula gets a leading apostrophe (OWASP)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
