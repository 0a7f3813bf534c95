"""The wording of the pledge and of the certificate, from the UI catalogues.

Pure core: the certificate to word is any object with a record's fields (:class:`IssuedCertificate`,
which :class:`widgets.records.models.Certificate` is), so nothing here imports the records.
"""

from __future__ import annotations

import dataclasses as dc
import unicodedata
from datetime import datetime
from typing import Protocol

from widgets.certificates.settings import CertificateSettings, certificate_settings
from widgets.content.model import Course
from widgets.engine.progress import COURSE_TZ
from widgets.i18n import t

PLEDGE_ITEMS = 8
"""How many ``pledge.item.N`` keys the catalogues hold (one per requirement of the directive)."""
PDF_NAME = "chung-nhan.pdf"


class IssuedCertificate(Protocol):
    """What the wording reads from an issued certificate (a record, read only)."""

    @property
    def code(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def score_percent(self) -> float: ...
    @property
    def issued_at(self) -> datetime: ...


def local_date(moment: datetime) -> str:
    """``dd/mm/yyyy`` in Asia/Ho_Chi_Minh."""
    return f"{moment.astimezone(COURSE_TZ):%d/%m/%Y}"


def pledge_items() -> tuple[str, ...]:
    """What the learner commits to, one line per requirement of the directive."""
    return tuple(t(f"pledge.item.{n}") for n in range(1, PLEDGE_ITEMS + 1))


def pledge_text(course: Course) -> str:
    """The pledge as recorded: ``Tôi cam kết …`` and the numbered commitments."""
    lines = [t("pledge.lead", directive=course.directive.number, issuer=course.directive.issuer)]
    lines += [f"{n}. {item}" for n, item in enumerate(pledge_items(), start=1)]
    return "\n".join(lines)


@dc.dataclass(frozen=True, slots=True)
class CertificateText:
    """Every line the certificate shows, already worded; the page and the PDF share it."""

    heading: str
    certifies: str
    name: str
    unit: str
    completed: str
    course: str
    directive: str
    score: str
    date: str
    code: str
    code_label: str
    verify: str
    nation: str = ""
    """Quốc hiệu: CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM."""
    motto: str = ""
    """Tiêu ngữ: Độc lập - Tự do - Hạnh phúc."""
    issuer: str = ""
    """The issuing body (a setting)."""
    place_date: str = ""
    """``Sơn La, ngày 01 tháng 05 năm 2026``."""
    signer_title: str = ""
    signer_name: str = ""
    seal: str = ""
    """The hint in the space left for the signature and the seal."""
    check: str = ""
    """How to check it: the QR code, or the code on the verification page."""
    verify_url: str = ""
    """What the QR code holds: the verification page with this code."""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def place_date(place: str, moment: datetime) -> str:
    """``Sơn La, ngày 01 tháng 05 năm 2026`` in Asia/Ho_Chi_Minh (day and month on two digits,
    as administrative documents write them)."""
    local = moment.astimezone(COURSE_TZ)
    return t("certificate.place_date", place=place, day=f"{local:%d}", month=f"{local:%m}", year=local.year)


def certificate_text(
    certificate: IssuedCertificate, course: Course, settings: CertificateSettings | None = None
) -> CertificateText:
    """The certificate's lines: the national heading, the issuer, name, unit, course,
    directive, score, date, code, how to check it, and the signer (``settings``: the
    installation's, from the environment, by default)."""
    settings = settings or certificate_settings()
    directive = course.directive
    return CertificateText(
        heading=t("certificate.heading"),
        certifies=t("certificate.certifies"),
        name=_nfc(certificate.full_name),
        unit=t("certificate.unit", unit=_nfc(certificate.unit)),
        completed=t("certificate.completed"),
        course=f"«{_nfc(course.title)}»",
        directive=t("certificate.directive", number=directive.number, issuer=directive.issuer),
        score=t("certificate.score", score=f"{certificate.score_percent:.0f}"),
        date=t("certificate.date", date=local_date(certificate.issued_at)),
        code=certificate.code,
        code_label=t("certificate.code"),
        verify=t("certificate.verify", code=certificate.code),
        nation=t("certificate.nation"),
        motto=t("certificate.motto"),
        issuer=settings.issuer,
        place_date=place_date(settings.place, certificate.issued_at),
        signer_title=settings.signer_title,
        signer_name=settings.signer_name,
        seal=t("certificate.seal"),
        check=t("certificate.check", code=certificate.code, url=settings.verify_url()),
        verify_url=settings.verify_url(certificate.code),
    )
