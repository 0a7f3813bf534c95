"""The certificate as an A4 landscape PDF, with DejaVu Sans embedded (subset) by fpdf2."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from widgets.certificates.fonts import BOLD, REGULAR, font_path
from widgets.certificates.text import CertificateText

FAMILY = "DejaVu"
WIDTH, HEIGHT = 297.0, 210.0
MARGIN = 18.0
INK = (31, 41, 55)
ACCENT = (153, 27, 27)


def certificate_pdf(text: CertificateText, *, issued_at: datetime | None = None) -> bytes:
    """The PDF bytes; text is printed as given (never interpreted as markup)."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(text.heading)
    pdf.set_subject(text.course)
    pdf.set_creator("neuguong")
    if issued_at is not None:
        pdf.set_creation_date(issued_at)
    pdf.add_font(FAMILY, "", font_path(REGULAR))
    pdf.add_font(FAMILY, "B", font_path(BOLD))
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN + 10, MARGIN)
    pdf.add_page()
    _frame(pdf)
    pdf.set_text_color(*INK)
    pdf.set_y(MARGIN + 16)
    _line(pdf, text.heading, 26, bold=True, color=ACCENT, gap=10)
    _line(pdf, text.certifies, 14, gap=2)
    _fitted(pdf, text.name, 24, bold=True, gap=4)
    _fitted(pdf, text.unit, 14, gap=6)
    _line(pdf, text.completed, 13, gap=1)
    _fitted(pdf, text.course, 15, bold=True, gap=1)
    _fitted(pdf, text.directive, 12, gap=6)
    _line(pdf, text.score, 13, gap=1)
    _line(pdf, text.date, 13, gap=0)
    pdf.set_y(HEIGHT - MARGIN - 24)
    _line(pdf, f"{text.code_label}: {text.code}", 13, bold=True, gap=1)
    _line(pdf, text.verify, 10, gap=0)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(MARGIN / 2, MARGIN / 2, WIDTH - MARGIN, HEIGHT - MARGIN)
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN / 2 + 3, MARGIN / 2 + 3, WIDTH - MARGIN - 6, HEIGHT - MARGIN - 6)


def _line(
    pdf: FPDF, text: str, size: float, *, bold: bool = False, color: tuple[int, int, int] = INK, gap: float
) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.cell(0, size * 0.5, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(gap)


def _fitted(pdf: FPDF, text: str, size: float, *, bold: bool = False, gap: float) -> None:
    """One centred line, shrunk to fit; wrapped (at most at 60 % size) if still too long."""
    style = "B" if bold else ""
    room = pdf.epw
    fitted = size
    pdf.set_font(FAMILY, style, fitted)
    while pdf.get_string_width(text) > room and fitted > size * 0.6:
        fitted -= 0.5
        pdf.set_font(FAMILY, style, fitted)
    pdf.set_text_color(*INK)
    pdf.multi_cell(room, fitted * 0.5, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(gap)
