"""Layout of the template: readable type, touch targets, focus ring, tablet width, A4 print."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]
SIZES = {"office": {"width": 1366, "height": 768}, "tablet": {"width": 800, "height": 1280}}
SMALL_TARGETS = """() => [...document.querySelectorAll(
        '#rendered_cells button, #rendered_cells .widget-radio-box label, #rendered_cells select,'
        + '#rendered_cells input[type=text], #rendered_cells nav.nk-nav a')]
    .filter(el => el.offsetParent !== null)
    .map(el => [el.textContent.trim().slice(0, 40), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 44)"""


@pytest.fixture(scope="module")
def site(start_voila: Any) -> Any:
    """The real learner notebooks (shared with other browser tests that use the same key)."""
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("notebook", ["home.ipynb", "02-tong-quan.ipynb"])
def test_site_pages_fit_and_are_easy_to_touch(site, page, wait_for_voila, notebook: str, size: str):
    if not (site.root_dir / notebook).exists():
        pytest.skip(f"{notebook} not in notebooks/learner")
    page.set_viewport_size(SIZES[size])
    page.goto(site.render_url(notebook))
    wait_for_voila(page)

    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    assert page.locator("header.nk-site-header").is_visible()
    assert page.evaluate(SMALL_TARGETS) == []


def test_keyboard_focus_is_visible(learner_site, page, wait_for_voila):
    page.goto(learner_site.render_url("home.ipynb"))
    wait_for_voila(page)

    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.className") == "nk-skip-link"
    assert page.locator(".nk-skip-link").is_visible()
    button = page.locator("button.nk-test-button")
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = button.evaluate("el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]")
    assert outline == ["solid", "3px"]


def test_icon_font_is_loaded_from_the_server(learner_site, page, network, wait_for_voila):
    page.goto(learner_site.render_url("home.ipynb"))
    wait_for_voila(page)
    icon = page.locator("button.nk-test-button i.fa-check")

    assert "Font Awesome 5 Free" in icon.evaluate("el => getComputedStyle(el).fontFamily")
    page.wait_for_function(
        "() => [...document.fonts].some(f => f.family.includes('Font Awesome 5 Free')"
        " && f.status === 'loaded')"
    )
    fonts = [url for url in network.requests if url.split("?")[0].endswith((".woff2", ".woff"))]
    assert fonts and all(url.startswith(learner_site.base_url) for url in fonts)


def test_certificate_prints_alone_on_one_a4_page(learner_site, page, wait_for_voila):
    page.goto(learner_site.render_url("certificate.ipynb"))
    wait_for_voila(page)
    page.emulate_media(media="print")

    visible = page.evaluate(
        """() => ['.nk-certificate', '.jupyter-button', '.widget-html:not(.nk-certificate)']
            .map(s => getComputedStyle(document.querySelector(s)).visibility)"""
    )
    assert visible == ["visible", "hidden", "hidden"]
    assert not page.locator("header.nk-site-header").is_visible()
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "".join(pdf.pages[0].extract_text().split())  # pypdf splits Vietnamese glyphs
    assert "GIẤYCHỨNGNHẬN" in text
    assert "Phầnnàykhôngđượcin" not in text
