"""Days on the trainer pages are typed and shown as dd/mm/yyyy, in Python (issue 20)."""

from __future__ import annotations

from datetime import date

import pytest

from widgets.views.trainer.dates import DayFormatError, DayInput, format_day, parse_day


def test_format_and_parse() -> None:
    assert format_day(date(2026, 12, 7)) == "07/12/2026"
    assert parse_day("07/12/2026") == parse_day("7/12/2026") == parse_day(" 7.12.2026 ") == date(2026, 12, 7)
    assert parse_day("") is None and parse_day("  ") is None
    for bad in ("2026-12-07", "12/2026", "31/02/2026", "07/13/2026", "hôm nay"):
        with pytest.raises(DayFormatError):
            parse_day(bad)


def test_day_input_keeps_dd_mm_yyyy() -> None:
    box = DayInput("Từ ngày")
    assert box.value is None and box.text.placeholder == "dd/mm/yyyy"
    box.value = date(2025, 3, 1)
    assert box.text.value == "01/03/2025" and box.value == date(2025, 3, 1)
    box.text.value = "1/3/2025"
    assert box.value == date(2025, 3, 1)
