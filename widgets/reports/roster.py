"""The trainer's roster: a CSV of the learners (or the number of learners) expected per unit.

Two shapes are accepted, with Vietnamese or English headers, separated by ``,`` ``;`` or tab,
UTF-8 with or without BOM (as Excel saves it):

* one row per expected learner — ``Họ và tên, Đơn vị[, Mã cán bộ]``;
* one row per unit — ``Đơn vị, Số lượng``.

Headers are matched without case or tone marks (``ho va ten`` = ``Họ và tên``). A row that
cannot be read is reported with its line number and skipped; the rest is kept.
"""

from __future__ import annotations

import csv
import dataclasses as dc
import io
import re
import unicodedata

from widgets.i18n import t
from widgets.records.errors import SignInError
from widgets.records.identity import identity_key, normalise_staff_code

_HEADERS = {
    "name": {"ho_va_ten", "ho_ten", "hoten", "ten", "name", "full_name", "learner"},
    "unit": {"don_vi", "donvi", "unit", "co_quan", "co_quan_don_vi"},
    "code": {"ma_can_bo", "ma_cb", "ma", "staff_code", "code"},
    "expected": {"so_luong", "so_nguoi", "so_hoc_vien", "expected", "count"},
}


@dc.dataclass(frozen=True, slots=True)
class RosterEntry:
    line: int
    name: str
    unit: str
    staff_code: str | None = None

    @property
    def name_key(self) -> str:
        return identity_key(self.name)

    @property
    def unit_key(self) -> str:
        return identity_key(self.unit)


@dc.dataclass(frozen=True, slots=True)
class Roster:
    entries: tuple[RosterEntry, ...] = ()
    """Named learners (the first shape)."""
    counts: dict[str, int] = dc.field(default_factory=dict)
    """Unit key → expected number (both shapes: named rows are counted per unit)."""
    unit_names: dict[str, str] = dc.field(default_factory=dict)
    """Unit key → the unit as first written in the roster."""
    problems: tuple[tuple[int, str], ...] = ()
    """(line number, message) for every row skipped."""


def header_key(text: str) -> str:
    """``"Họ và tên"`` → ``"ho_va_ten"``: lower case, no tone marks, ``_`` between words."""
    text = unicodedata.normalize("NFD", text.strip().lstrip("\ufeff").casefold().replace("đ", "d"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def parse_roster(text: str) -> Roster:
    """Read a roster CSV (see the module docstring)."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return Roster(problems=((1, t("roster.empty")),))
    delimiter = max(",;\t", key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    columns = {}
    for index, heading in enumerate(header):
        key = header_key(heading)
        for field, aliases in _HEADERS.items():
            if key in aliases and field not in columns:
                columns[field] = index
    if "unit" not in columns or ("name" not in columns and "expected" not in columns):
        return Roster(problems=((1, t("roster.headings")),))
    entries: list[RosterEntry] = []
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    for row in reader:
        line = reader.line_num
        if not any(text.strip() for text in row):
            continue
        cell = {field: (row[i].strip() if i < len(row) else "") for field, i in columns.items()}
        unit = " ".join(cell["unit"].split())
        if not unit:
            problems.append((line, t("roster.no_unit")))
            continue
        key = identity_key(unit)
        if "name" in columns:
            name = " ".join(cell["name"].split())
            if not name:
                problems.append((line, t("roster.no_name")))
                continue
            try:
                code = normalise_staff_code(cell.get("code"))
            except SignInError as error:
                problems.append((line, error.message))
                continue
            entries.append(RosterEntry(line, name, unit, code))
            counts[key] = counts.get(key, 0) + 1
        else:
            try:
                number = int(cell["expected"])
                if number < 0:
                    raise ValueError(number)
            except ValueError:
                problems.append((line, t("roster.bad_count", count=cell["expected"])))
                continue
            counts[key] = counts.get(key, 0) + number
        names.setdefault(key, unit)
    return Roster(tuple(entries), counts, names, tuple(problems))
