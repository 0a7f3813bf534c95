"""Configuration, engine caching and the no-ipywidgets rule."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from widgets.records import config, db, open_store
from widgets.records.config import sqlite_url
from widgets.records.errors import RecordsError


def test_database_url_and_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.DB_URL_ENV, raising=False)
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    assert config.data_dir(create=False) == config.REPO_ROOT / "var"
    assert config.database_url(tmp_path) == f"sqlite:///{tmp_path.resolve()}/records.sqlite"

    data = tmp_path / "nested" / "data"
    monkeypatch.setenv(config.DATA_ENV, str(data))
    assert config.data_dir() == data
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert config.database_url() == f"sqlite:///{data.resolve()}/records.sqlite"

    monkeypatch.setenv(config.DB_URL_ENV, " postgresql+psycopg://u@127.0.0.1/x ")
    assert config.database_url() == "postgresql+psycopg://u@127.0.0.1/x"


def test_the_data_folder_is_outside_the_learner_site() -> None:
    served = config.REPO_ROOT / "notebooks"
    assert not config.data_dir(create=False).is_relative_to(served)


def test_one_engine_per_url_and_process(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "records.sqlite")
    first = open_store(url, data=tmp_path)
    assert open_store(url, data=tmp_path).engine is first.engine
    assert db.get_engine(sqlite_url(tmp_path / "other.sqlite")) is not first.engine

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a forked child must not share the parent's connections
        child = db.get_engine(url)
        ok = child is not first.engine and db.get_engine(url) is child
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    db.dispose_engines()


def test_unsupported_databases_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RecordsError):
        db.create_engine("sqlite://")
    with pytest.raises(RecordsError):
        db.create_engine("mysql://u@localhost/x")


def test_sqlite_connections_are_set_up_for_many_writers(tmp_path: Path) -> None:
    store = open_store(sqlite_url(tmp_path / "records.sqlite"), data=tmp_path)
    with store.engine.connect() as conn:
        pragma = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    assert pragma == {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1, "synchronous": 2}
    db.dispose_engines()


def test_records_never_import_ipywidgets() -> None:
    code = (
        "import sys, widgets.records, widgets.records.store, widgets.records.certificates, "
        "widgets.commands.records_cli; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('ipywidgets', 'IPython')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
