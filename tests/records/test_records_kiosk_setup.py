"""``neuguong kiosk-setup export|import``: offline kiosks of one installation share its identity
secret, so they give every learner the same keyed ID and their records merge; a machine without
it gives other IDs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from widgets.cli import main
from widgets.records.identity import STAFF, load_secret
from widgets.records.store import open_store


def test_a_kiosk_with_the_exported_set_up_agrees_on_learner_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, kiosk, stranger = tmp_path / "server", tmp_path / "kiosk", tmp_path / "stranger"
    setup = tmp_path / "kiosk-setup.json"
    monkeypatch.setenv("NEUGUONG_DATA", str(server))
    assert main(["kiosk-setup", "export", "-o", str(setup)]) == 0
    assert setup.stat().st_mode & 0o777 == 0o600
    assert json.loads(setup.read_text())["identity_secret"] == load_secret(server).hex()

    monkeypatch.setenv("NEUGUONG_DATA", str(kiosk))
    assert main(["kiosk-setup", "import", str(setup)]) == 0
    assert load_secret(kiosk) == load_secret(server)
    assert (kiosk / "identity-secret").stat().st_mode & 0o777 == 0o600

    ids = [
        open_store(f"sqlite:///{folder}/r.sqlite", data=folder).sign_in("Lò Văn Kiốt", "Sở Nội vụ", STAFF).id
        for folder in (server, kiosk, stranger)
    ]
    assert ids[0] == ids[1] != ids[2]


def test_import_refuses_a_bad_file_and_an_existing_different_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEUGUONG_DATA", str(tmp_path / "a"))
    setup = tmp_path / "setup.json"
    assert main(["kiosk-setup", "export", "-o", str(setup)]) == 0
    monkeypatch.setenv("NEUGUONG_DATA", str(tmp_path / "b"))
    mine = load_secret(tmp_path / "b")
    assert main(["kiosk-setup", "import", str(setup)]) == 1  # b already has its own secret
    assert load_secret(tmp_path / "b") == mine
    assert main(["kiosk-setup", "import", str(setup), "--force"]) == 0
    assert load_secret(tmp_path / "b") == load_secret(tmp_path / "a")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "x"}')
    assert main(["kiosk-setup", "import", str(bad)]) == 1
