"""The trainer's audit page: events listed with filters, a CSV export, and a PIN reset that is
logged and makes the old PIN useless."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from widgets.records import audit
from widgets.records.errors import SignInError
from widgets.records.identity import STAFF
from widgets.records.policy import COURSE_TZ
from widgets.records.store import open_store
from widgets.views.trainer import audit_page
from widgets.views.trainer.dates import DayInput, format_day

NAME, UNIT, PIN = "Quàng Thị Nhật Ký", "Sở Nội vụ", "520713"


def csv_rows(page) -> list[list[str]]:  # type: ignore[no-untyped-def]
    href = re.search(r'href="data:text/csv;base64,([^"]+)"', page.export.value)
    assert href is not None
    text = base64.b64decode(href.group(1)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_audit_page_lists_filters_and_exports(site: Path) -> None:
    store = open_store()
    learner = store.authenticate(NAME, UNIT, STAFF, None, PIN, PIN)
    with pytest.raises(SignInError):
        store.authenticate(NAME, UNIT, STAFF, None, "000000")
    store.authenticate("Lò Văn Khác", UNIT, STAFF, None, PIN, PIN)

    page = audit_page()
    assert page.table.value.count("nk-audit-row") == 3
    assert "Nhập sai mã PIN" in page.table.value and NAME in page.table.value

    page.event.value = audit.SIGN_IN_FAILED
    page.refresh()
    assert page.table.value.count("nk-audit-row") == 1
    page.event.value = None
    page.learner.value = "nhật ký"  # part of the name, any case
    page.refresh()
    assert page.table.value.count("nk-audit-row") == 2 and "Lò Văn Khác" not in page.table.value
    rows = csv_rows(page)
    assert rows[0] == ["time_utc", "event", "learner_id", "learner", "detail"]
    assert {r[1] for r in rows[1:]} == {audit.SIGN_IN_NEW, audit.SIGN_IN_FAILED}
    assert all(r[2] == learner.id and r[3] == f"{NAME} ({UNIT})" for r in rows[1:])


def test_pin_reset_on_the_trainer_page_is_logged_and_ends_the_old_pin(site: Path) -> None:
    store = open_store()
    learner = store.authenticate(NAME, UNIT, STAFF, None, PIN, PIN)
    page = audit_page()
    box = page.reset_box
    box.query.value = "quàng thị"
    assert [p.id for p in box.search()] == [learner.id]
    box.reset.click()
    assert NAME in box.message.value
    assert "Giảng viên đặt lại mã PIN" in page.table.value  # the page shows the new event

    with pytest.raises(SignInError) as caught:
        store.authenticate(NAME, UNIT, STAFF, None, PIN)
    assert caught.value.field == "pin_confirm"  # a new PIN is to be set; the old one opens nothing
    box.query.value = "không có ai"
    assert box.search() == [] and box.reset.disabled


def test_audit_days_are_typed_as_dd_mm_yyyy(site: Path) -> None:
    """The day filters are the dashboard's DayInput: dd/mm/yyyy whatever the browser's locale."""
    store = open_store()
    today = datetime.now(COURSE_TZ).date()
    store.authenticate(NAME, UNIT, STAFF, None, PIN, PIN)
    page = audit_page()
    assert isinstance(page.since, DayInput) and isinstance(page.until, DayInput)
    assert page.since.text.placeholder == "dd/mm/yyyy"

    page.since.value = today + timedelta(days=1)
    page.refresh()
    assert page.table.value.count("nk-audit-row") == 0
    page.since.text.value = format_day(today)
    page.until.text.value = f"{today.day}/{today.month}/{today.year}"  # d/m/yyyy too
    page.refresh()
    assert page.table.value.count("nk-audit-row") == 1 and page.status.value == ""

    page.until.text.value = today.isoformat()  # what a browser date picker sends: not a day here
    page.refresh()
    assert "ngày/tháng/năm" in page.status.value
    assert page.table.value.count("nk-audit-row") == 1  # the list is left as it was
    page.until.value = None
    page.refresh()
    assert page.status.value == ""
