"""Pages are built here as Voilà serves them: Voilà sets ``VOILA_*`` in each kernel it starts
(``test_lab_session.py`` removes it to build them as notebooks opened in JupyterLab)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def served_by_voila(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOILA_BASE_URL", "/")
