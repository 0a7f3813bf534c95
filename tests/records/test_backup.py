"""Backups of a live store cannot tear, and restore takes only a kit store (both backends).

Four writer processes answer through the records API (each answer's ID printed only after
its transaction committed) while ``backup`` copies the store; the copy, restored into a
fresh store, holds every answer acknowledged before the backup began, and nothing that was
never written. ``restore`` refuses a file that is not a kit store and a target that already
holds records (unless ``force``, which keeps a safety copy first).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from widgets.cli import main as cli_main
from widgets.records import db, migrations, open_store
from widgets.records.backup import (
    NotAStoreError,
    TargetNotEmptyError,
    backup,
    backup_kind,
    restore,
)
from widgets.records.config import sqlite_url
from widgets.records.identity import STAFF
from widgets.records.schema import answers

from db_backends import PG_URL

WRITER = Path(__file__).with_name("records_writer.py")
WRITERS = 4
ANSWERS_EACH = 1000
BEFORE_BACKUP = 100
"""Answers acknowledged before the backup starts, per writer on average."""


class Writer:
    """A writer process and the answer IDs it acknowledged, each with the time it was read."""

    def __init__(self, url: str, data: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), url, str(data), str(ANSWERS_EACH), str(uuid.uuid4())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.acks: list[tuple[float, str]] = []
        self.done = False
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == "READY", self.proc.stderr.read()  # type: ignore[union-attr]
        self.reader = threading.Thread(target=self._read, daemon=True)

    def go(self) -> None:
        self.reader.start()
        self.proc.stdin.write("GO\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]

    def _read(self) -> None:
        for line in self.proc.stdout:  # type: ignore[union-attr]
            text = line.strip()
            if text == "DONE":
                self.done = True
                continue
            try:
                self.acks.append((time.monotonic(), str(uuid.UUID(text))))
            except ValueError:
                continue

    def finish(self) -> None:
        self.proc.wait(timeout=300)
        self.reader.join(timeout=30)
        assert self.proc.returncode == 0 and self.done, self.proc.stderr.read()  # type: ignore[union-attr]


@pytest.fixture
def target_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store of the same backend: another SQLite file, or another PostgreSQL
    database (a pg_dump restores each table into the schema it came from)."""
    if db_url.startswith("sqlite"):
        yield sqlite_url(tmp_path / "restored" / "records.sqlite")
        db.dispose_engines()
        return
    name = f"r_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(PG_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(db_url).set(database=name)
    schema = url.query["options"].split("=")[-1]  # the source's schema, as the store sees it
    with sa.create_engine(url.set(query={}), poolclass=NullPool).begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        db.dispose_engines()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def answer_ids(url: str) -> set[str]:
    engine = db.get_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        return set(conn.execute(sa.select(answers.c.id)).scalars())


@pytest.mark.slow
def test_backup_while_four_writers_write_restores_every_acknowledged_answer(
    db_url: str, target_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    open_store(db_url, data=data)
    writers = [Writer(db_url, data) for _ in range(WRITERS)]
    for writer in writers:
        writer.go()
    deadline = time.monotonic() + 180
    while sum(len(w.acks) for w in writers) < WRITERS * BEFORE_BACKUP:
        assert time.monotonic() < deadline, [len(w.acks) for w in writers]
        assert all(w.proc.poll() in (None, 0) for w in writers), "a writer failed"
        time.sleep(0.01)

    (tmp_path / "backups").mkdir()
    started = time.monotonic()
    copy = backup(db_url, tmp_path / "backups")
    ended = time.monotonic()
    for writer in writers:
        writer.finish()

    acked = [ack for writer in writers for ack in writer.acks]
    before = {answer for at, answer in acked if at < started}
    after = {answer for at, answer in acked if at > ended}
    written = {answer for _, answer in acked}
    assert len(written) == WRITERS * ANSWERS_EACH
    assert after, "the writers were still writing when the backup ended"
    assert copy.path.parent == tmp_path / "backups" and copy.size > 0
    assert backup_kind(copy.path) == ("sqlite" if db_url.startswith("sqlite") else "postgresql")

    done = restore(target_url, copy.path)
    restored = answer_ids(target_url)
    assert before <= restored, f"{len(before - restored)} acknowledged answers lost"
    assert restored <= written, "the copy holds answers nobody wrote"
    assert done.answers == len(restored) and done.learners == 1 and done.safety_copy is None
    if copy.answers is not None:  # SQLite counts the copy itself
        assert copy.answers == len(restored)
    print(
        f"\nbackup [{copy.backend}]: {copy.seconds:.3f} s, {copy.size / 1024:.0f} KB, "
        f"{len(restored)} answers in the copy ({len(before)} acknowledged before it began, "
        f"{len(written)} written in all); restore {done.seconds:.3f} s"
    )

    # The restored store is a working store: the learner answers on.
    store = open_store(target_url, data=data)
    learner = store.find_learners(name="Nguyễn Thị Bình", unit="Sở Nội vụ")
    assert learner, "the restored store finds the learner again"


def test_restore_refuses_a_file_that_is_not_a_kit_store(db_url: str, tmp_path: Path) -> None:
    text = tmp_path / "ghi-chu.txt"
    text.write_text("không phải cơ sở dữ liệu\n", encoding="utf-8")
    with pytest.raises(NotAStoreError, match="không phải bản sao lưu kho hồ sơ"):
        restore(db_url, text)
    other = tmp_path / "khac.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    if db_url.startswith("sqlite"):
        with pytest.raises(NotAStoreError, match="thiếu bảng schema_version, learners, attempts, answers"):
            restore(db_url, other)
    else:
        with pytest.raises(Exception, match="bản sao lưu SQLite, còn kho hồ sơ đích là PostgreSQL"):
            restore(db_url, other)


def test_restore_over_records_needs_force_and_keeps_a_safety_copy(
    db_url: str, target_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    store = open_store(db_url, data=data)
    store.sign_in("Lò Văn Minh", "UBND huyện Mộc Châu", STAFF)
    copy = backup(db_url, tmp_path / "a.backup")

    target = open_store(target_url, data=data)
    target.sign_in("Cầm Thị Hoa", "Sở Tư pháp", STAFF)
    target.sign_in("Quàng Văn Lả", "Sở Tư pháp", STAFF)
    with pytest.raises(TargetNotEmptyError, match="đã có dữ liệu \\(2 người học, 0 câu trả lời\\)"):
        restore(target_url, copy.path)
    assert len(open_store(target_url, data=data).find_learners(name="Cầm Thị Hoa", unit="Sở Tư pháp")) == 1

    done = restore(target_url, copy.path, force=True, safety_dir=tmp_path / "an-toan")
    assert done.learners == 1
    assert done.safety_copy is not None and done.safety_copy.parent == tmp_path / "an-toan"
    assert done.safety_copy.name.startswith("truoc-khi-phuc-hoi-")
    restored = open_store(target_url, data=data)
    assert restored.find_learners(name="Lò Văn Minh", unit="UBND huyện Mộc Châu")
    assert not restored.find_learners(name="Cầm Thị Hoa", unit="Sở Tư pháp")

    # The safety copy brings the overwritten records back.
    again = restore(target_url, done.safety_copy, force=True, safety_dir=tmp_path / "an-toan")
    assert again.learners == 2


def test_cli_backup_and_restore(
    db_url: str, target_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(db_url, data=tmp_path / "data").sign_in("Hà Thị Mai", "Sở Y tế", STAFF)
    folder = tmp_path / "sao-luu"
    folder.mkdir()
    assert cli_main(["backup", str(folder), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Đã sao lưu kho hồ sơ") and "giây" in out
    (made,) = folder.iterdir()
    assert made.name.startswith("neuguong-")
    assert cli_main(["backup", str(made), "--db", db_url]) == 1
    assert "đã có" in capsys.readouterr().err

    assert cli_main(["restore", str(made), "--db", target_url]) == 0
    assert "Đã phục hồi 1 người học, 0 câu trả lời" in capsys.readouterr().out
    assert cli_main(["restore", str(made), "--db", target_url]) == 1
    assert "--force" in capsys.readouterr().err
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 64)
    assert cli_main(["restore", str(junk), "--db", target_url]) == 1
    assert "không phải bản sao lưu kho hồ sơ" in capsys.readouterr().err


def test_an_old_backup_is_migrated_on_restore(db_url: str, target_url: str, tmp_path: Path) -> None:
    engine = db.get_engine(db_url)
    assert migrations.upgrade(engine, target=4) == 4
    copy = backup(db_url, tmp_path / "cu.backup")
    done = restore(target_url, copy.path, data=tmp_path / "data")
    assert done.schema_version == migrations.CURRENT_VERSION


def test_migrate_command_and_a_failing_migration(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A migration that fails leaves the store at its old version (one transaction)."""
    engine = db.get_engine(db_url)
    migrations.upgrade(engine, target=4)
    with engine.begin() as conn:  # what migration 5 will create: it now fails
        conn.execute(sa.text("CREATE INDEX ix_attempts_learner_activity ON attempts (kind)"))
    db.dispose_engines()
    assert cli_main(["migrate", "--db", db_url]) == 1
    err = capsys.readouterr().err
    assert "Nâng lược đồ thất bại; kho hồ sơ vẫn ở phiên bản 4" in err
    assert "phục hồi bản sao lưu" in err
    with db.get_engine(db_url).connect() as conn:
        assert migrations.current_version(conn) == 4

    with db.get_engine(db_url).begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_attempts_learner_activity"))
    db.dispose_engines()
    assert cli_main(["migrate", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert f"Đã nâng kho hồ sơ từ phiên bản lược đồ 4 lên {migrations.CURRENT_VERSION}." in out
    assert cli_main(["migrate", "--db", db_url]) == 0
    assert "không có gì để nâng" in capsys.readouterr().out
