"""Issue 20: the trainer dashboard fits the trainer's screen (1366×768 and 1920×1080).

Geometry first, in the page's real layout: the page never scrolls sideways (a wide table
scrolls in its own box, its first column sticky); no header cell breaks inside a word; every
filter, label and control lies inside the viewport, each label on one line beside its control;
the page uses the width. Days are typed and shown as dd/mm/yyyy in a browser whose locale is
English (en-US would show a date picker as mm/dd/yyyy). Then a screenshot of each size is
compared with a reviewed reference (``tests/browser/screenshots/trainer-dashboard-*.png``, the
fonts and comparison of ``test_screenshots.py``; ``NEUGUONG_UPDATE_SCREENSHOTS=1`` rewrites them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_screenshots import (
    FIXED_IDENTITY_SECRET,
    OUTPUT,
    REFERENCES,
    UNROLL,
    browser,  # noqa: F401 - the DejaVu-only Chromium of the reference shots
    finish_scenario,
    pass_quiz,
    settle,
)

from widgets.content.course import load_course
from widgets.records.identity import LEADER, STAFF, write_secret
from widgets.records.policy import COURSE_TZ
from widgets.records.store import open_store

from imagediff import assert_matches_reference

REPO = Path(__file__).resolve().parents[2]
SIZES = {"office": {"width": 1366, "height": 768}, "wide": {"width": 1920, "height": 1080}}
PEOPLE = (
    ("Lò Thị Mai Hương", 0, STAFF, "TL-1"),
    ("Cầm Văn Thắng", 0, LEADER, "TL-2"),
    ("Quàng Thị Nguyệt", 1, STAFF, "TL-3"),
)

GEOMETRY = """() => {
  const width = window.innerWidth;
  const page = document.querySelector('.nk-trainer');
  const overflowing = [];
  for (let el = page; el; el = el.parentElement) {
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
      overflowing.push(el.id || el.className || el.tagName);
  }
  const right = page.getBoundingClientRect().right;
  const wide = [...page.querySelectorAll('*')]  // what sticks out, for the failure message
    .filter(el => el.getBoundingClientRect().right > right + 1 && !el.closest('.nk-table-scroll'))
    .slice(0, 5)
    .map(el => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
  const split = [];
  const visible = el => el.getClientRects().length > 0;
  for (const th of [...document.querySelectorAll('.nk-trainer table.nk-t th')].filter(visible)) {
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        const tops = new Set(rects.map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(word[0]);
      }
    }
  }
  const filters = [];
  const items = '.nk-filter-row .widget-inline-hbox, .nk-filter-row > .jupyter-button';
  for (const item of document.querySelectorAll(items)) {
    const box = item.getBoundingClientRect();
    const label = item.querySelector(':scope > .widget-label');
    const entry = {text: item.innerText.trim().split('\\n')[0], right: box.right, left: box.left};
    const select = item.querySelector('select');
    if (select) entry.shown = select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : '';
    if (label && label.innerText.trim()) {
      const l = label.getBoundingClientRect();
      const lines = new Set([...label.getClientRects()].map(r => Math.round(r.top))).size;
      entry.label = label.innerText.trim();
      entry.cut = label.scrollWidth > label.clientWidth + 1;
      entry.labelHeight = l.height;
      entry.lineHeight = parseFloat(getComputedStyle(label).lineHeight) || 24;
      const c = (item.querySelector('select, input') || item).getBoundingClientRect();
      const middle = r => (r.top + r.bottom) / 2;
      entry.beside = l.right <= c.left + 1 && Math.abs(middle(l) - middle(c)) < c.height / 2;
      entry.labelRight = l.right;
    }
    filters.push(entry);
  }
  const first = document.querySelector('.nk-trainer table.nk-t tbody td');
  return {
    width,
    scrollWidth: document.scrollingElement.scrollWidth,
    overflowing,
    wide,
    split,
    filters,
    pageWidth: page.getBoundingClientRect().width,
    sticky: first ? getComputedStyle(first).position : null,
  };
}"""
STICKY = """() => {
  const box = document.querySelector('.nk-learner-table').closest('.nk-table-scroll');
  const scrolls = box.scrollWidth > box.clientWidth;
  box.scrollLeft = 400;
  const cell = box.querySelector('tbody td');
  const left = cell.getBoundingClientRect().left - box.getBoundingClientRect().left;
  const moved = box.scrollLeft;
  box.scrollLeft = 0;
  return {scrolls, left, moved};
}"""


@pytest.fixture(scope="module")
def trainer_site(start_voila: Callable[..., Any]) -> Any:
    """The trainer notebooks over a store with three learners in two units, one module done."""
    site = start_voila("trainer", root_dir=REPO / "notebooks" / "trainer", env={"NEUGUONG_PREHEAT": "0"})
    write_secret(site.data_dir, FIXED_IDENTITY_SECRET, replace=True)
    store = open_store(data=site.data_dir)
    course = load_course()
    module = course.modules[1]
    for n, (name, unit, role, code) in enumerate(PEOPLE):
        learner_id = store.sign_in(name, course.units[unit], role, staff_code=code).id
        if n < 2:
            pass_quiz(store, learner_id, module.id, module.id, module.questions[0].id)
            for scenario in module.scenarios:
                finish_scenario(store, learner_id, module.id, scenario)
    return site


@pytest.fixture
def english_page(browser: Any) -> Iterator[Any]:  # noqa: F811 - the imported fixture
    """A page in a browser whose locale is en-US (a date picker would show mm/dd/yyyy)."""
    context = browser.new_context(viewport=SIZES["office"], locale="en-US", timezone_id="America/New_York")
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page = context.new_page()
    yield page
    context.close()


def open_dashboard(page: Any, site: Any, wait: Callable[..., str]) -> None:
    page.goto(site.render_url("dashboard.ipynb", f"token={site.token}"), timeout=180_000)
    wait(page, timeout=180.0)
    page.locator(".nk-learner-table").wait_for(timeout=120_000)


def check_geometry(page: Any, size: str) -> dict[str, Any]:
    found = page.evaluate(GEOMETRY)
    width = found["width"]
    assert found["scrollWidth"] <= width, found
    assert not found["overflowing"], (found["overflowing"], found["wide"])
    assert not found["split"], f"header words broken across lines: {found['split']}"
    assert found["sticky"] == "sticky"
    assert found["pageWidth"] >= width - 120, found["pageWidth"]  # the width, not a narrow column
    labels = [f for f in found["filters"] if "label" in f]
    assert {f["label"] for f in labels} >= {
        "Từ ngày",
        "Đến hết ngày",
        "Đơn vị",
        "Chức vụ/nhóm",
        "Lượt làm tính",
    }
    for item in found["filters"]:
        assert item["left"] >= 0 and item["right"] <= width, (size, item)
    for item in labels:
        assert item.get("shown", "-"), (size, item)  # a dropdown shows its choice
        assert not item["cut"], (size, item)
        assert item["labelHeight"] < 1.6 * item["lineHeight"], (size, item)  # one line
        assert item["beside"], (size, item)
    return found


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_fits_the_screen(
    trainer_site: Any, english_page: Any, wait_for_voila: Callable[..., str], size: str
) -> None:
    page = english_page
    page.set_viewport_size(SIZES[size])
    open_dashboard(page, trainer_site, wait_for_voila)
    check_geometry(page, size)
    if size == "office":  # the learner table is wider than the screen: it scrolls in its box
        sticky = page.evaluate(STICKY)
        assert sticky["scrolls"] and sticky["moved"] > 0 and abs(sticky["left"]) <= 1, sticky
    for tab in ("Câu hỏi", "Theo yêu cầu", "Ghi nhớ", "Tình huống"):
        page.get_by_role("tab", name=tab).click()
        page.locator(".nk-trainer table.nk-t:visible").first.wait_for(timeout=120_000)
        check_geometry(page, f"{size}/{tab}")
    page.get_by_role("tab", name="Hoàn thành").click()
    page.locator(".nk-learner-table").wait_for()
    page.add_style_tag(content=UNROLL)
    settle(page)
    png = page.screenshot(full_page=True, animations="disabled", caret="hide")
    assert_matches_reference(png, REFERENCES / f"trainer-dashboard-{size}.png", OUTPUT)


def test_days_are_dd_mm_yyyy_in_an_english_browser(
    trainer_site: Any, english_page: Any, wait_for_voila: Callable[..., str]
) -> None:
    page = english_page
    open_dashboard(page, trainer_site, wait_for_voila)
    since = page.locator(".nk-day-input input").first
    assert since.get_attribute("type") == "text" and since.get_attribute("placeholder") == "dd/mm/yyyy"
    assert page.locator(".nk-trainer input[type=date]").count() == 0
    since.fill("01/03/2025")
    page.locator(".nk-dashboard-update").click()
    page.locator('.nk-figure [data-figure="learners"], [data-figure="learners"]').first.wait_for()
    assert since.input_value() == "01/03/2025"
    since.fill("2025-03-01")
    page.locator(".nk-dashboard-update").click()
    page.get_by_text("ngày/tháng/năm").wait_for(timeout=60_000)


def test_audit_days_are_dd_mm_yyyy_in_an_english_browser(
    trainer_site: Any, english_page: Any, wait_for_voila: Callable[..., str]
) -> None:
    """The audit page's day filters are the dashboard's dd/mm/yyyy text boxes, not a date picker."""
    open_store(data=trainer_site.data_dir).authenticate(
        "Lò Văn Nhật", "Sở Nội vụ", STAFF, None, "520713", "520713"
    )
    page = english_page
    page.goto(trainer_site.render_url("audit.ipynb", f"token={trainer_site.token}"), timeout=180_000)
    wait_for_voila(page, timeout=180.0)
    rows = page.locator(".nk-audit-events .nk-audit-row")
    rows.first.wait_for(timeout=120_000)  # the sign-in above, at least
    signed_in = rows.count()
    assert page.locator(".nk-audit input[type=date]").count() == 0
    # Each label sits beside its own control with room before it, not against the previous one.
    event_box = page.locator(".nk-audit-event select").bounding_box()
    learner_label = page.locator(".nk-audit-learner .widget-label").bounding_box()
    assert event_box and learner_label and learner_label["x"] >= event_box["x"] + event_box["width"] + 8
    cell = page.locator(".nk-audit-table td").first
    assert cell.evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)") > 0
    since, until = page.locator(".nk-audit .nk-day-input input").all()
    assert since.get_attribute("type") == "text" and since.get_attribute("placeholder") == "dd/mm/yyyy"

    today = datetime.now(COURSE_TZ).date()
    since.fill((today + timedelta(days=1)).strftime("%d/%m/%Y"))
    page.locator(".nk-audit-filter").click()
    rows.first.wait_for(state="detached", timeout=60_000)
    since.fill(today.strftime("%d/%m/%Y"))
    until.fill(today.strftime("%d/%m/%Y"))
    page.locator(".nk-audit-filter").click()
    rows.first.wait_for(timeout=60_000)
    assert rows.count() == signed_in and since.input_value() == today.strftime("%d/%m/%Y")
    since.fill(today.isoformat())  # what a date picker would have sent: not a day here
    page.locator(".nk-audit-filter").click()
    page.locator(".nk-audit-status").get_by_text("ngày/tháng/năm").wait_for(timeout=60_000)
    assert rows.count() == signed_in  # the list is left as it was
