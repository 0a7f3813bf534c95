"""Records write throughput: answers per second with 8 writer processes at once.

Each writer is its own process (as each page runs in its own kernel): it opens the store,
signs in its own learner, starts an attempt, says READY, waits for GO, then records
``COUNT`` answers through ``Store.record_answer`` (one transaction each, as a page does on
every "Kiểm tra") and reports when it finished. Throughput = all answers / (last writer done
− GO). SQLite: the default file in a fresh data folder (WAL). PostgreSQL: a fresh database on
``NEUGUONG_TEST_PG_URL``'s server, or on a throw-away server started by ``.ci/postgres.sh``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks import common

WRITERS = 8
COUNT = 300


def writer(url: str, data: str, count: int) -> int:
    """The writer process (``python -m benchmarks.records --writer URL DATA COUNT``)."""
    import uuid

    from widgets.engine.results import AnswerResult
    from widgets.records.identity import STAFF
    from widgets.records.store import open_store

    store = open_store(url, data=data)
    name = "Người ghi " + "".join(secrets.choice("ABCDEGHKLMNPQRSTUVXY") for _ in range(8))
    learner = store.sign_in(name, "Sở Nội vụ", STAFF)
    attempt = str(uuid.uuid4())
    store.start_attempt(learner.id, "tong-quan", attempt_id=attempt)
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "GO":
        return 2
    for i in range(count):
        result = AnswerResult(f"q{i % 20}", ("a", str(i)), 1.0, 1.0, True, (), ("officials.1",))
        store.record_answer(learner.id, attempt, "tong-quan", result, try_no=1 + i // 20)
    print(f"DONE {time.time():.6f}", flush=True)
    return 0


def throughput(url: str, data: Path, writers: int = WRITERS, count: int = COUNT) -> dict[str, Any]:
    from widgets.records.store import open_store

    open_store(url, data=data)  # create and migrate once, before the writers race
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.records", "--writer", url, str(data), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=common.REPO,
        )
        for _ in range(writers)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            if line != "READY":
                raise RuntimeError(
                    f"writer did not start: {line} {proc.stderr.read() if proc.stderr else ''}"
                )
        load = common.loadavg()
        go = time.time()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("GO\n")
            proc.stdin.flush()
        ends = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"writer failed ({proc.returncode}): {err[-2000:]}")
            ends.append(float(out.strip().split()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    elapsed = max(ends) - go
    total = writers * count
    return {
        "writers": writers,
        "answers": total,
        "seconds": round(elapsed, 2),
        "answers_per_s": round(total / elapsed, 1),
        "loadavg": load,
    }


@contextlib.contextmanager
def postgres() -> Iterator[tuple[str | None, str]]:
    """A fresh database URL on a PostgreSQL server (or ``None`` and why not)."""
    base = os.environ.get("NEUGUONG_TEST_PG_URL")
    started_dir = None
    if not base:
        script = common.REPO / ".ci" / "postgres.sh"
        done = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False, timeout=600)
        if done.returncode != 0:
            yield None, f".ci/postgres.sh failed: {done.stderr.strip()[-300:]}"
            return
        for line in done.stdout.splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            if key == "NEUGUONG_TEST_PG_URL":
                base = value.strip("'")
            elif key == "NEUGUONG_TEST_PG_DIR":
                started_dir = value.strip("'")
        source = "started by .ci/postgres.sh"
    else:
        source = "NEUGUONG_TEST_PG_URL"
    assert base
    import sqlalchemy as sa

    name = f"nk_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(base).set(database=name).render_as_string(hide_password=False)
        yield url, source
    finally:
        from widgets.records import db

        with contextlib.suppress(Exception):
            db.get_engine(url).dispose()  # type: ignore[possibly-undefined]
        with contextlib.suppress(Exception), admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        if started_dir:
            subprocess.run(
                ["bash", str(common.REPO / ".ci" / "postgres.sh"), "stop"],
                env={**os.environ, "NEUGUONG_TEST_PG_DIR": started_dir},
                capture_output=True,
                check=False,
                timeout=120,
            )


def run(writers: int = WRITERS, count: int = COUNT) -> dict[str, Any]:
    result: dict[str, Any] = {"definition": __doc__.split("\n\n", 1)[1].strip()}
    data = Path(tempfile.mkdtemp(prefix="nk-bench-records-"))
    try:
        from widgets.records.config import sqlite_url

        url = sqlite_url(data / "records.sqlite")
        result["sqlite_1_writer"] = throughput(url, data, 1, count)
        result["sqlite"] = throughput(url, data, writers, count)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    common.log(f"records sqlite: {result['sqlite']['answers_per_s']} answers/s")
    pg_data = Path(tempfile.mkdtemp(prefix="nk-bench-records-pg-"))
    try:
        with postgres() as (pg_url, source):
            result["postgresql_source"] = source
            if pg_url is None:
                result["postgresql"] = None
            else:
                result["postgresql_1_writer"] = throughput(pg_url, pg_data, 1, count)
                result["postgresql"] = throughput(pg_url, pg_data, writers, count)
                common.log(f"records postgresql: {result['postgresql']['answers_per_s']} answers/s")
    finally:
        shutil.rmtree(pg_data, ignore_errors=True)
    return result


if __name__ == "__main__":
    common.prioritise()
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        sys.exit(writer(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    import json

    data = run()
    common.write_section("records", data)
    print(json.dumps({k: v for k, v in data.items() if k != "definition"}, indent=1))
