"""The installation's certificate settings, from environment variables (set them on the
province's site and on every kiosk alike, so a certificate printed at a kiosk points at the
province's verification page):

=============================  ==========================================================
``NEUGUONG_PUBLIC_URL``         the learner site's public address, e.g.
                                ``https://hoc.sonla.gov.vn`` (the QR code and the check line
                                point at ``<it>/voila/render/xac-minh.ipynb?code=…``)
``NEUGUONG_CERT_ISSUER``        the issuing body at the top, e.g. ``SỞ NỘI VỤ TỈNH SƠN LA``
``NEUGUONG_CERT_PLACE``         the place in the place-and-date line, e.g. ``Sơn La``
``NEUGUONG_CERT_SIGNER_TITLE``  the signer's title, e.g. ``GIÁM ĐỐC``
``NEUGUONG_CERT_SIGNER_NAME``   the signer's name; empty leaves the line for a hand-written one
=============================  ==========================================================

No signature is ever drawn: the space between the title and the name is left for the
signature and the seal.
"""

from __future__ import annotations

import dataclasses as dc
import os
import unicodedata
from collections.abc import Mapping
from urllib.parse import quote

from widgets.i18n import t

PUBLIC_URL_ENV = "NEUGUONG_PUBLIC_URL"
ISSUER_ENV = "NEUGUONG_CERT_ISSUER"
PLACE_ENV = "NEUGUONG_CERT_PLACE"
SIGNER_TITLE_ENV = "NEUGUONG_CERT_SIGNER_TITLE"
SIGNER_NAME_ENV = "NEUGUONG_CERT_SIGNER_NAME"

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8866"
"""The address ``make serve`` listens on: right on the machine itself only."""
VERIFY_NOTEBOOK = "xac-minh.ipynb"
VERIFY_PATH = f"/voila/render/{VERIFY_NOTEBOOK}"


@dc.dataclass(frozen=True, slots=True)
class CertificateSettings:
    public_url: str = DEFAULT_PUBLIC_URL
    issuer: str = dc.field(default_factory=lambda: t("certificate.default.issuer"))
    place: str = dc.field(default_factory=lambda: t("certificate.default.place"))
    signer_title: str = dc.field(default_factory=lambda: t("certificate.default.signer_title"))
    signer_name: str = ""

    def verify_url(self, code: str | None = None) -> str:
        """The verification page's address, with ``?code=`` when a code is given."""
        page = f"{self.public_url}{VERIFY_PATH}"
        return f"{page}?code={quote(code, safe='-')}" if code else page


def certificate_settings(environ: Mapping[str, str] | None = None) -> CertificateSettings:
    """The settings from ``environ`` (default: the process's environment)."""
    env = os.environ if environ is None else environ

    def get(name: str, default: str) -> str:
        value = unicodedata.normalize("NFC", " ".join(env.get(name, "").split()))
        return value or default

    url = get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{PUBLIC_URL_ENV} must start with http:// or https://, not {url!r}")
    return CertificateSettings(
        public_url=url,
        issuer=get(ISSUER_ENV, t("certificate.default.issuer")),
        place=get(PLACE_ENV, t("certificate.default.place")),
        signer_title=get(SIGNER_TITLE_ENV, t("certificate.default.signer_title")),
        signer_name=get(SIGNER_NAME_ENV, ""),
    )
