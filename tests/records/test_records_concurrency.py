"""Nothing lost: many writer processes at once, and a writer killed with SIGKILL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.records import db, open_store
from widgets.records.schema import answers, learners

WRITER = Path(__file__).with_name("records_writer.py")
PROCESSES = 8
ANSWERS_EACH = 500

pytestmark = pytest.mark.slow


def spawn(url: str, data: Path, count: int) -> tuple[subprocess.Popen[str], str]:
    attempt_id = str(uuid.uuid4())
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), url, str(data), str(count), attempt_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, attempt_id


def ready(proc: subprocess.Popen[str]) -> None:
    line = proc.stdout.readline()  # type: ignore[union-attr]
    assert line.strip() == "READY", proc.stderr.read()  # type: ignore[union-attr]


def go(proc: subprocess.Popen[str]) -> None:
    proc.stdin.write("GO\n")  # type: ignore[union-attr]
    proc.stdin.flush()  # type: ignore[union-attr]


def stored_ids(url: str, data: Path) -> list[str]:
    """Answer IDs as a fresh engine sees them (after checking SQLite's integrity)."""
    db.dispose_engines()
    store = open_store(url, data=data)
    with store.engine.connect() as conn:
        if store.backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        return list(conn.execute(sa.select(answers.c.id)).scalars())


def acknowledged(lines: str) -> list[str]:
    """IDs a writer printed after commit (whole lines only)."""
    ids = []
    for line in lines.splitlines():
        try:
            ids.append(str(uuid.UUID(line.strip())))
        except ValueError:
            continue
    return ids


def test_many_processes_write_every_answer_exactly_once(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    writers = [spawn(db_url, data, ANSWERS_EACH) for _ in range(PROCESSES)]
    for proc, _ in writers:
        ready(proc)
    start = time.perf_counter()
    for proc, _ in writers:
        go(proc)
    results = [proc.communicate(timeout=240) for proc, _ in writers]
    elapsed = time.perf_counter() - start

    printed: list[str] = []
    for (proc, _), (out, err) in zip(writers, results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err, err
        assert out.rstrip().endswith("DONE")
        ids = acknowledged(out)
        assert len(ids) == ANSWERS_EACH
        printed += ids
    assert len(set(printed)) == PROCESSES * ANSWERS_EACH

    ids = stored_ids(db_url, data)
    assert len(ids) == len(set(ids)) == PROCESSES * ANSWERS_EACH
    assert set(ids) == set(printed)
    with db.get_engine(db_url).connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(learners)).scalar() == 1
    rate = PROCESSES * ANSWERS_EACH / elapsed
    print(f"\n{db_url.split(':')[0]}: {PROCESSES}×{ANSWERS_EACH} answers in {elapsed:.1f} s "
          f"= {rate:.0f} answers/s")  # fmt: skip


@pytest.mark.parametrize("kill_after", [1, 150])
def test_a_killed_writer_loses_nothing_acknowledged(db_url: str, tmp_path: Path, kill_after: int) -> None:
    data = tmp_path / "data"
    victim, _ = spawn(db_url, data, 100_000)
    survivor, _ = spawn(db_url, data, 300)
    ready(victim)
    ready(survivor)
    go(victim)
    go(survivor)
    acked = []
    while len(acked) < kill_after:
        line = victim.stdout.readline()  # type: ignore[union-attr]
        assert line, victim.stderr.read()  # type: ignore[union-attr]
        acked += acknowledged(line)
    time.sleep(random.uniform(0, 0.02))  # land anywhere in a transaction
    os.kill(victim.pid, signal.SIGKILL)
    rest, _ = victim.communicate(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    acked += acknowledged(rest)

    out, err = survivor.communicate(timeout=120)  # the other writer is not blocked
    assert survivor.returncode == 0, err
    survived = acknowledged(out)
    assert len(survived) == 300

    ids = set(stored_ids(db_url, data))
    assert set(acked) <= ids, "an acknowledged answer was lost"
    assert set(survived) <= ids
    assert len(ids) - len(survived) - len(acked) in (0, 1)  # at most the one in flight

    store = open_store(db_url, data=data)  # and the store takes new writes
    learner = store.find_learners(name="Nguyễn Thị Bình", unit="Sở Nội vụ")[0]
    attempt = store.start_attempt(learner.id, "m1")
    assert store.open_attempt(learner.id, "m1").id == attempt.id  # type: ignore[union-attr]
