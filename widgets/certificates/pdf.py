"""The certificate as an A4 landscape PDF, with DejaVu Sans embedded (subset) by fpdf2.

Laid out as officials expect a Vietnamese certificate: the issuing body at the top left, the
Quốc hiệu and tiêu ngữ at the top right; the certificate's body in the middle; at the bottom
left the verification code, its QR code (``segno``; it holds the verification page's address
with the code) and how to check it; at the bottom right the place-and-date line, the signer's
title, room for the signature and the seal (never drawn), and the signer's name.
"""

from __future__ import annotations

import io
from datetime import datetime

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from widgets.certificates.fonts import BOLD, REGULAR, font_path
from widgets.certificates.text import CertificateText

FAMILY = "DejaVu"
WIDTH, HEIGHT = 297.0, 210.0
MARGIN = 18.0
INK = (31, 41, 55)
ACCENT = (153, 27, 27)
QR_SIZE = 30.0
"""The QR code's side in mm (with its quiet zone): a phone reads it from arm's length."""
COLUMN = 120.0
"""Width of the header's and the signature's columns, in mm."""


def qr_png(data: str) -> bytes:
    """A QR code of ``data`` as a PNG (black on white, 4-module quiet zone, medium correction)."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def qr_svg(data: str) -> str:
    """The same QR code as inline SVG, for the printable page (no text from ``data`` in it)."""
    return segno.make(data, error="m", micro=False).svg_inline(scale=3, border=4)


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
    _national_heading(pdf, text)
    pdf.set_y(MARGIN + 26)
    _line(pdf, text.heading, 24, bold=True, color=ACCENT, gap=6)
    _line(pdf, text.certifies, 13, gap=2)
    _fitted(pdf, text.name, 22, bold=True, gap=3)
    _fitted(pdf, text.unit, 13, gap=4)
    _line(pdf, text.completed, 12, gap=1)
    _fitted(pdf, text.course, 14, bold=True, gap=1)
    _fitted(pdf, text.directive, 11, gap=3)
    _line(pdf, text.score, 12, gap=1)
    _line(pdf, text.date, 12, gap=0)
    _verification(pdf, text)
    _signature(pdf, text)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(MARGIN / 2, MARGIN / 2, WIDTH - MARGIN, HEIGHT - MARGIN)
    pdf.set_line_width(0.3)
    pdf.rect(MARGIN / 2 + 3, MARGIN / 2 + 3, WIDTH - MARGIN - 6, HEIGHT - MARGIN - 6)


def _national_heading(pdf: FPDF, text: CertificateText) -> None:
    """Issuing body (left), Quốc hiệu and underlined tiêu ngữ (right), as on official papers."""
    top = MARGIN + 2
    left, right = MARGIN, WIDTH - MARGIN - COLUMN
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_xy(left, top)
    pdf.multi_cell(COLUMN - 20, 5.5, text.issuer, align=Align.C)
    pdf.set_xy(right, top)
    pdf.cell(COLUMN, 5.5, text.nation, align=Align.C)
    pdf.set_font(FAMILY, "B", 12)
    pdf.set_xy(right, top + 6)
    pdf.cell(COLUMN, 6, text.motto, align=Align.C)
    width = pdf.get_string_width(text.motto)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(right + (COLUMN - width) / 2, top + 12.5, right + (COLUMN + width) / 2, top + 12.5)


def _verification(pdf: FPDF, text: CertificateText) -> None:
    """Bottom left: the QR code of the verification address, the code and how to check it."""
    top = HEIGHT - MARGIN - QR_SIZE - 2
    left = MARGIN + 2
    pdf.image(io.BytesIO(qr_png(text.verify_url)), x=left, y=top, w=QR_SIZE, h=QR_SIZE)
    room = COLUMN - QR_SIZE
    pdf.set_xy(left + QR_SIZE + 2, top + 3)
    pdf.set_font(FAMILY, "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(room, 6, f"{text.code_label}: {text.code}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 8)
    pdf.multi_cell(room, 3.6, text.check, align=Align.L)


def _signature(pdf: FPDF, text: CertificateText) -> None:
    """Bottom right: place and date, the signer's title, blank room for signature and seal,
    the signer's name (a blank line when it is not set)."""
    left = WIDTH - MARGIN - COLUMN + 20
    width = COLUMN - 20
    top = HEIGHT - MARGIN - 44
    pdf.set_text_color(*INK)
    pdf.set_xy(left, top)
    pdf.set_font(FAMILY, "", 11)
    pdf.cell(width, 6, text.place_date, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(width, 6, text.signer_title, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "", 8)
    pdf.cell(width, 4, text.seal, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(left, HEIGHT - MARGIN - 8)
    pdf.set_font(FAMILY, "B", 11)
    if text.signer_name:
        pdf.cell(width, 6, text.signer_name, align=Align.C)


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
