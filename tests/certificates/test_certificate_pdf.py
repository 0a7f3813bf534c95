"""The certificate PDF: Vietnamese text survives exactly, markup prints literally, A4 landscape."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from widgets.certificates import fonts
from widgets.certificates.pdf import certificate_pdf
from widgets.certificates.settings import CertificateSettings, certificate_settings
from widgets.certificates.text import certificate_text, local_date, pledge_items, pledge_text
from widgets.content.model import Course
from widgets.records.models import Certificate

NAME = "Nguyễn Thị Hồng Nhung"
UNIT = "Sở Tài nguyên và Môi trường tỉnh Sơn La"
ISSUED = datetime(2026, 4, 30, 18, 5, tzinfo=UTC)  # already 1 May in Sơn La (UTC+7)


def certificate(name: str = NAME, unit: str = UNIT, score: float = 85.0) -> Certificate:
    return Certificate(
        id="c1",
        learner_id="l1",
        code="NG-7K2M-Q9XD",
        full_name=name,
        unit=unit,
        role="Cán bộ, công chức, viên chức",
        score_percent=score,
        attempt_id="a1",
        issued_at=ISSUED,
    )


SETTINGS = CertificateSettings(
    public_url="https://hoc.sonla.gov.vn",
    issuer="SỞ NỘI VỤ TỈNH SƠN LA",
    place="Sơn La",
    signer_title="GIÁM ĐỐC",
    signer_name="Lò Thị Mai",
)


def build(course: Course, cert: Certificate, settings: CertificateSettings = SETTINGS) -> bytes:
    return certificate_pdf(certificate_text(cert, course, settings), issued_at=cert.issued_at)


def extract(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.fixture(scope="module")
def standard(course: Course) -> bytes:
    """The PDF of a usual certificate (built once: fpdf2 parses and subsets the font ~1 s)."""
    return build(course, certificate())


def test_every_line_of_the_certificate_is_in_the_pdf(course: Course, standard: bytes) -> None:
    text = extract(standard)
    lines = text.splitlines()
    assert "GIẤY CHỨNG NHẬN HOÀN THÀNH" in lines
    assert NAME in lines
    assert f"Đơn vị: {UNIT}" in lines
    assert "Ngày cấp: 01/05/2026" in lines
    assert "Điểm bài kiểm tra tổng hợp: 85%" in lines
    assert course.title in text and course.directive.number in text
    assert "Mã xác minh: NG-7K2M-Q9XD" in lines
    assert "neuguong" not in text  # no command to run on the issuing machine


def test_vietnamese_conventions_national_heading_place_date_signer(standard: bytes) -> None:
    text = extract(standard)
    lines = text.splitlines()  # side-by-side columns come out on one line
    assert lines[0] == "SỞ NỘI VỤ TỈNH SƠN LA CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert lines[1] == "Độc lập - Tự do - Hạnh phúc"
    flat = " ".join(text.split())
    assert "Sơn La, ngày 01 tháng 05 năm 2026" in flat  # issued 30/4 18:05 UTC = 1/5 in Sơn La
    assert "GIÁM ĐỐC" in flat and "Lò Thị Mai" in flat and "(Ký tên, đóng dấu)" in flat
    assert "quét mã QR" in flat and "Xác minh chứng nhận" in flat
    assert "https://hoc.sonla.gov.vn/voila/render/xac-minh.ipynb" in flat.replace(" ", "")


def test_settings_come_from_the_installation() -> None:
    settings = certificate_settings(
        {
            "NEUGUONG_PUBLIC_URL": "https://hoc.sonla.gov.vn/",
            "NEUGUONG_CERT_ISSUER": "UBND  HUYỆN MAI SƠN",
            "NEUGUONG_CERT_SIGNER_TITLE": "CHỦ TỊCH",
        }
    )
    assert settings.verify_url("NG-7K2M-Q9XD") == (
        "https://hoc.sonla.gov.vn/voila/render/xac-minh.ipynb?code=NG-7K2M-Q9XD"
    )
    assert (settings.issuer, settings.signer_title, settings.signer_name) == (
        "UBND HUYỆN MAI SƠN",
        "CHỦ TỊCH",
        "",
    )
    with pytest.raises(ValueError, match="NEUGUONG_PUBLIC_URL"):
        certificate_settings({"NEUGUONG_PUBLIC_URL": "hoc.sonla.gov.vn"})


def qr_codes_in(data: bytes, folder: Path) -> list[str]:
    """Every QR code in the PDF's images, read by a real decoder (zbar's ``zbarimg``)."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("no QR decoder: install Debian's zbar-tools (zbarimg)")
    found = []
    for number, image in enumerate(PdfReader(io.BytesIO(data)).pages[0].images):
        path = folder / f"image{number}.png"
        image.image.convert("L").save(path)
        done = subprocess.run([zbarimg, "--quiet", "--raw", str(path)], capture_output=True, text=True)
        found += done.stdout.splitlines()
    return found


def test_the_qr_code_decodes_to_the_verification_address(standard: bytes, tmp_path: Path) -> None:
    assert qr_codes_in(standard, tmp_path) == [
        "https://hoc.sonla.gov.vn/voila/render/xac-minh.ipynb?code=NG-7K2M-Q9XD"
    ]


def test_vietnamese_name_survives_exactly_in_nfc(course: Course) -> None:
    decomposed = unicodedata.normalize("NFD", NAME)
    assert decomposed != NAME
    text = extract(build(course, certificate(name=decomposed)))
    name_line = next(line for line in text.splitlines() if line.startswith("Nguy"))
    assert name_line == NAME and unicodedata.is_normalized("NFC", name_line)


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", 'O\'Brien "Bảy" & <b>Ba</b>', "Lò Văn 😀"])
def test_markup_and_quotes_are_printed_literally(course: Course, name: str) -> None:
    text = extract(build(course, certificate(name=name)))
    expected = name.replace("😀", "").strip()  # DejaVu Sans has no emoji: the rest still prints
    assert expected in text


def test_long_name_and_unit_fit_without_crashing(course: Course) -> None:
    name, unit = "Nguyễn " * 13 + "Lan", "Trường Phổ thông Dân tộc Nội trú " * 6
    text = " ".join(extract(build(course, certificate(name=name[:100], unit=unit[:200]))).split())
    assert "Lan" in text and "Trường Phổ thông" in text


def test_a4_landscape_with_the_font_embedded_and_small(standard: bytes) -> None:
    data = standard
    page = PdfReader(io.BytesIO(data)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    fonts_used = page["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts_used.values()}
    assert any("DejaVuSans" in name for name in names), names
    assert b"/FontFile2" in data  # the TrueType program itself, subset
    assert len(data) < 200_000


def test_date_is_local_to_son_la() -> None:
    assert local_date(ISSUED) == "01/05/2026"
    assert local_date(datetime(2026, 4, 30, 16, 59, tzinfo=UTC)) == "30/04/2026"


def test_pledge_text_lists_the_directives_requirements(course: Course) -> None:
    text = pledge_text(course)
    assert text.startswith("Tôi cam kết") and course.directive.number in text
    assert "không uống rượu, bia trước và trong giờ làm việc" in text
    assert "rõ người, rõ việc, rõ tiến độ, rõ kết quả và rõ trách nhiệm" in text
    assert len(pledge_items()) == 8 and all(f"{n}. " in text for n in range(1, 9))


def test_font_found_in_matplotlib_or_debian(monkeypatch: pytest.MonkeyPatch) -> None:
    path = fonts.font_path(fonts.REGULAR)
    assert path.is_file() and path.name == "DejaVuSans.ttf"
    fonts.font_path.cache_clear()
    monkeypatch.setattr(fonts, "_matplotlib_dir", lambda: None)
    try:
        if any((folder / fonts.REGULAR).is_file() for folder in fonts.SYSTEM_DIRS):
            assert fonts.font_path(fonts.REGULAR).parent in fonts.SYSTEM_DIRS
        fonts.font_path.cache_clear()
        monkeypatch.setattr(fonts, "SYSTEM_DIRS", (Path("/nonexistent"),))
        with pytest.raises(fonts.FontNotFoundError):
            fonts.font_path(fonts.REGULAR)
    finally:
        fonts.font_path.cache_clear()


def test_certificate_core_and_search_never_import_ipywidgets() -> None:
    code = (
        "import sys\nimport widgets.certificates.pdf, widgets.certificates.text, widgets.knowledge,"
        " widgets.collation\nprint('ipywidgets' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
