"""Days typed and shown as dd/mm/yyyy on the trainer pages, whatever the browser's locale.

A browser's date picker shows the day in the browser's own format (mm/dd/yyyy on an English
system); here the text is formatted and read in Python, so every trainer sees 07/12/2026.
"""

from __future__ import annotations

import re
from datetime import date

import ipywidgets as w

from widgets.i18n import t

DAY_FORMAT = "%d/%m/%Y"
_DAY = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


class DayFormatError(ValueError):
    """A day that is not dd/mm/yyyy or not in the calendar."""


def format_day(day: date) -> str:
    """``dd/mm/yyyy``."""
    return day.strftime(DAY_FORMAT)


def parse_day(text: str) -> date | None:
    """``dd/mm/yyyy`` (also ``d/m/yyyy``, with ``.`` or ``-``) → the day; blank → ``None``."""
    if not text.strip():
        return None
    found = _DAY.match(text)
    if found is None:
        raise DayFormatError(f"not a dd/mm/yyyy day: {text!r}")
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError as error:
        raise DayFormatError(f"no such day: {text!r}") from error


class DayInput(w.HBox):
    """A labelled text box for one day (``value``: a :class:`date` or ``None``; a day typed
    in another form raises :class:`DayFormatError` when read)."""

    def __init__(self, description: str) -> None:
        self.text = w.Text(description=description, placeholder=t("trainer.filter.day_placeholder"))
        self.text.add_class("nk-day-text")
        super().__init__([self.text])
        self.add_class("nk-day-input")

    @property
    def value(self) -> date | None:
        return parse_day(self.text.value)

    @value.setter
    def value(self, day: date | None) -> None:
        self.text.value = "" if day is None else format_day(day)
