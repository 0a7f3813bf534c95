"""The facilitator guide as a PDF (A4 portrait, DejaVu Sans): the same content as the printable
HTML — every module's title, timing, clauses, instructor notes and scenario cases — and both
downloads offered on the trainer's guide page."""

from __future__ import annotations

import base64
import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from widgets.content.model import Course
from widgets.reports.guide import guide_pdf, module_guides


def text_of(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(unicodedata.normalize("NFC", text).split())


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def whole(real_course: Course) -> tuple[PdfReader, str]:
    return text_of(guide_pdf(real_course))


def test_the_pdf_guide_covers_every_module(real_course: Course, whole: tuple[PdfReader, str]) -> None:
    reader, text = whole
    guides = module_guides(real_course)
    assert len(reader.pages) >= 1 + len(guides)  # the agenda, then a page (or more) per module
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait, in points
    total = sum(g.minutes for g in guides)
    assert f"Tổng thời lượng: {total} phút" in text
    for g in guides:
        assert flat(f"{g.number}. {g.module.title}") in text
        assert flat(f"= {g.minutes} phút") in text or not g.minutes
        for clause in g.clauses:
            assert flat(f"{clause.id} — {clause.label}") in text
        for scenario in g.scenarios:
            assert flat(scenario.title) in text
    assert "Câu hỏi thảo luận" in text and "Hiểu lầm thường gặp" in text  # from the instructor blocks
    assert "**" not in text  # bold is rendered, not printed as markup


def test_the_font_is_embedded(whole: tuple[PdfReader, str]) -> None:
    reader, _ = whole
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in name for name in fonts)


def test_one_module_only(real_course: Course) -> None:
    _, text = text_of(guide_pdf(real_course, ["nguoi-dung-dau"]))
    module = real_course.module("nguoi-dung-dau")
    assert flat(module.title) in text
    others = [m for m in real_course.modules if m.id != "nguoi-dung-dau"]
    assert not any(re.search(rf"\b\d+\. {re.escape(flat(m.title))}\b", text) for m in others)


def test_the_guide_page_offers_html_and_pdf(real_course: Course) -> None:
    from widgets.views.trainer.guide import GuidePage

    page = GuidePage(real_course)
    links = re.findall(r'download="([^"]+)" href="data:([^;]+);base64,([^"]+)"', page.print_link.value)
    assert [(name, mime) for name, mime, _ in links] == [
        ("huong-dan-giang-vien-tat-ca.html", "text/html"),
        ("huong-dan-giang-vien-tat-ca.pdf", "application/pdf"),
    ]
    assert base64.b64decode(links[1][2]).startswith(b"%PDF")
    page.module.value = "nguoi-dung-dau"
    assert 'download="huong-dan-giang-vien-nguoi-dung-dau.pdf"' in page.print_link.value
