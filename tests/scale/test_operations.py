"""The operations recipes: systemd units, the PostgreSQL role and database, PgBouncer, z2jh versions.

* systemd: every unit passes ``systemd-analyze verify`` (with the kit's real ``neuguong``
  in place of /opt/neuguong/venv), restarts on failure, runs as its own user with the
  settings file, checks ``/healthz``; the backup timer's calendar is valid.
* PostgreSQL: ``deploy/postgres/create-role-and-database.sql`` runs on a throw-away server;
  ``deploy/postgres/pgbouncer.ini`` (paths and ports changed, nothing else) runs a real
  PgBouncer in transaction mode in front of it, and four writer processes answer through
  it with the role the SQL made: every acknowledged answer is stored.
* Zero to JupyterHub: the chart ``values.yaml`` installs and the Hub major the image's proxy
  is built for agree (chart 3.x ↔ JupyterHub 4, chart 4.x ↔ JupyterHub 5).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from widgets.records import db, open_store
from widgets.records.backup import pg_tool
from widgets.records.config import sqlite_url
from widgets.records.identity import STAFF
from widgets.records.schema import answers
from widgets.testing import free_port

from db_backends import PG_URL, pg_available

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
WRITER = REPO / "tests" / "records" / "records_writer.py"
NEUGUONG = Path(sys.executable).with_name("neuguong")


# ---- systemd ----------------------------------------------------------------------------------


def unit(path: Path) -> dict[str, list[str]]:
    """``Key`` → values (systemd allows a key more than once), all sections together."""
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if not found:
        pytest.skip("no systemd-analyze (apt-get install systemd)")
    return found


@pytest.mark.parametrize(
    "name", ["neuguong-learner.service", "neuguong-trainer.service", "neuguong-backup.service"]
)
def test_systemd_units_pass_systemd_analyze_verify(name: str, tmp_path: Path) -> None:
    analyze = _systemd_analyze()
    text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
    assert "/opt/neuguong/venv/bin/neuguong" in text
    copy = tmp_path / name
    copy.write_text(text.replace("/opt/neuguong/venv/bin/neuguong", str(NEUGUONG)), encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done.stderr


@pytest.mark.parametrize(
    ("name", "mode", "port"), [("learner", "learner", 8866), ("trainer", "trainer", 8867)]
)
def test_site_units_restart_run_as_their_user_and_check_health(name: str, mode: str, port: int) -> None:
    keys = unit(DEPLOY / "systemd" / f"neuguong-{name}.service")
    assert keys["Restart"] == ["on-failure"]
    assert keys["User"] == ["neuguong"] and keys["Group"] == ["neuguong"]
    assert keys["EnvironmentFile"] == ["/etc/neuguong/neuguong.env"]
    assert keys["ExecStart"] == [f"/opt/neuguong/venv/bin/neuguong serve --mode {mode} --port {port}"]
    assert f"http://127.0.0.1:{port}/healthz" in keys["ExecStartPost"][0]
    assert keys["ReadWritePaths"] == ["/srv/neuguong"]
    # The command the unit runs exists and takes these options.
    done = subprocess.run(
        [str(NEUGUONG), "serve", "--mode", mode, "--port", str(port), "--dry-run"],
        capture_output=True, text=True, check=False,
        env={**os.environ, "NEUGUONG_TRAINER_TOKEN": "t" * 32},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"--Voila.port={port}" in done.stdout


def test_backup_timer_runs_neuguong_backup_nightly() -> None:
    analyze = _systemd_analyze()
    service = unit(DEPLOY / "systemd" / "neuguong-backup.service")
    assert service["ExecStart"] == ["/opt/neuguong/venv/bin/neuguong backup /srv/neuguong/backups"]
    assert service["Type"] == ["oneshot"] and service["User"] == ["neuguong"]
    timer = unit(DEPLOY / "systemd" / "neuguong-backup.timer")
    assert timer["Persistent"] == ["true"]
    done = subprocess.run(
        [analyze, "calendar", timer["OnCalendar"][0]], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "02:30:00" in done.stdout, done.stderr


def test_journald_limits_and_env_example() -> None:
    journald = unit(DEPLOY / "systemd" / "journald-neuguong.conf")
    assert journald["SystemMaxUse"] == ["1G"] and journald["MaxRetentionSec"] == ["3month"]
    settings = re.findall(r"^#?(NEUGUONG_[A-Z_]+)=", (DEPLOY / "systemd" / "neuguong.env.example").read_text(
        encoding="utf-8"), flags=re.MULTILINE)  # fmt: skip
    assert "NEUGUONG_DATA" in settings and "NEUGUONG_DB_URL" in settings
    code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "widgets").rglob("*.py"))
    code += "\n".join(p.read_text(encoding="utf-8") for p in (DEPLOY / "voila").rglob("*.py"))
    for name in settings:
        assert name in code, f"{name} in neuguong.env.example is read by nothing"


# ---- Zero to JupyterHub -----------------------------------------------------------------------

HUB_MAJOR_OF_CHART = {3: 4, 4: 5}
"""z2jh chart major → the JupyterHub major it runs (chart 3.x: JupyterHub 4.x, 4.x: 5.x)."""


def test_z2jh_chart_and_image_agree_on_the_jupyterhub_major() -> None:
    values = (DEPLOY / "jupyterhub" / "z2jh" / "values.yaml").read_text(encoding="utf-8")
    versions = re.findall(r"--version (\d+)\.(\d+)\.(\d+)", values)
    assert len(versions) == 1, "values.yaml names the one chart version it is written for"
    chart_major = int(versions[0][0])
    dockerfile = (DEPLOY / "jupyterhub" / "z2jh" / "Dockerfile").read_text(encoding="utf-8")
    (image_major,) = re.findall(r"^ARG JUPYTERHUB_MAJOR=(\d+)$", dockerfile, flags=re.MULTILINE)
    assert '"jupyterhub==${JUPYTERHUB_MAJOR}.*"' in dockerfile
    assert HUB_MAJOR_OF_CHART[chart_major] == int(image_major), (
        f"chart {chart_major}.x runs JupyterHub {HUB_MAJOR_OF_CHART[chart_major]}, "
        f"the image's proxy is built for JupyterHub {image_major}"
    )


# ---- PostgreSQL and PgBouncer -----------------------------------------------------------------


@pytest.fixture
def kit_database() -> Iterator[tuple[str, str, str]]:
    """The role and database made by deploy/postgres/create-role-and-database.sql (names made
    unique for this run): (role, password, database)."""
    pg_available()
    name = f"nk_{uuid.uuid4().hex[:10]}"
    password = secrets.token_hex(12)
    sql = (DEPLOY / "postgres" / "create-role-and-database.sql").read_text(encoding="utf-8")
    script = Path(tempfile.mkdtemp()) / "create.sql"
    script.write_text(sql.replace("neuguong", name), encoding="utf-8")
    admin_url = sa.make_url(PG_URL)
    libpq = admin_url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, "PGPASSWORD": str(admin_url.password or "")}
    done = subprocess.run(
        [pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"pw={password}", "-f", str(script),
         libpq],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    admin = sa.create_engine(PG_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        assert done.returncode == 0, done.stderr
        yield name, password, name
    finally:
        db.dispose_engines()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))
        admin.dispose()
        shutil.rmtree(script.parent, ignore_errors=True)


def test_role_sql_makes_a_role_that_owns_its_database(
    kit_database: tuple[str, str, str], tmp_path: Path
) -> None:
    role, password, database = kit_database
    url = sa.make_url(PG_URL).set(username=role, password=password, database=database)
    store = open_store(url.render_as_string(hide_password=False), data=tmp_path / "data")  # migrates
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_user")).scalar() == role
        superuser = conn.execute(
            sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar()
        assert superuser is False
        assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar() >= 1


def _pgbouncer() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if not found:
        pytest.skip("no pgbouncer (apt-get install pgbouncer)")
    return found


@pytest.mark.slow
def test_four_writers_through_pgbouncer_in_transaction_mode(kit_database: tuple[str, str, str]) -> None:
    binary = _pgbouncer()
    role, password, database = kit_database
    server = sa.make_url(PG_URL)
    admin = sa.create_engine(PG_URL, poolclass=NullPool)
    with admin.connect() as conn:
        secret = conn.execute(
            sa.text(
                "SELECT '\"' || rolname || '\" \"' || rolpassword || '\"' FROM pg_authid WHERE rolname = :r"
            ),
            {"r": role},
        ).scalar()  # the query the ini's comments give for userlist.txt
    admin.dispose()

    folder = Path(tempfile.mkdtemp(prefix="nk-pgbouncer-"))
    port = free_port()
    ini = (DEPLOY / "postgres" / "pgbouncer.ini").read_text(encoding="utf-8")
    replacements = {
        "neuguong = host=127.0.0.1 port=5432 dbname=neuguong": (
            f"{database} = host={server.host} port={server.port} dbname={database}"
        ),
        "listen_port = 6432": f"listen_port = {port}",
        "unix_socket_dir = /var/run/postgresql": f"unix_socket_dir = {folder}",
        "auth_file = /etc/pgbouncer/userlist.txt": f"auth_file = {folder}/userlist.txt",
        "logfile = /var/log/postgresql/pgbouncer.log": f"logfile = {folder}/pgbouncer.log",
        "pidfile = /var/run/postgresql/pgbouncer.pid": f"pidfile = {folder}/pgbouncer.pid",
    }
    for old, new in replacements.items():
        assert old in ini, f"{old!r} is gone from pgbouncer.ini"
        ini = ini.replace(old, new)
    assert "pool_mode = transaction" in ini
    (folder / "pgbouncer.ini").write_text(ini, encoding="utf-8")
    (folder / "userlist.txt").write_text(secret + "\n", encoding="utf-8")
    argv = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(folder, "postgres")
        for path in folder.iterdir():
            shutil.chown(path, "postgres")
        argv = [binary, "-u", "postgres", str(folder / "pgbouncer.ini")]
    bouncer = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = sa.make_url(PG_URL).set(
            username=role, password=password, host="127.0.0.1", port=port, database=database, query={}
        )
        url_text = url.render_as_string(hide_password=False)
        deadline = time.monotonic() + 20
        while True:
            try:
                open_store(url_text, data=folder / "data")  # migrates through PgBouncer
                break
            except Exception:
                if time.monotonic() > deadline or bouncer.poll() is not None:
                    log = (
                        (folder / "pgbouncer.log").read_text(errors="replace")
                        if (folder / "pgbouncer.log").exists()
                        else ""
                    )
                    raise AssertionError(f"PgBouncer did not answer:\n{log[-2000:]}") from None
                db.dispose_engines()
                time.sleep(0.3)

        writers = [
            subprocess.Popen(
                [sys.executable, str(WRITER), url_text, str(folder / "data"), "300", str(uuid.uuid4())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        for proc in writers:
            assert proc.stdout.readline().strip() == "READY", proc.stderr.read()  # type: ignore[union-attr]
        results = [proc.communicate("GO\n", timeout=300) for proc in writers]
        acked: set[str] = set()
        for proc, (out, err) in zip(writers, results, strict=True):
            assert proc.returncode == 0 and out.rstrip().endswith("DONE"), err[-2000:]
            acked |= {line for line in out.split() if len(line) == 36}
        assert len(acked) == 4 * 300
        engine = db.get_engine(url_text)
        with engine.connect() as conn:
            stored = set(conn.execute(sa.select(answers.c.id)).scalars())
        assert acked <= stored
    finally:
        db.dispose_engines()
        bouncer.terminate()
        bouncer.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


# ---- The operations guide (docs/van-hanh.md) -------------------------------------------------

GUIDE = REPO / "docs" / "van-hanh.md"


def test_guide_names_only_real_commands_and_files() -> None:
    import unicodedata

    from widgets.cli import build_parser

    text = GUIDE.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    commands = set(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    used = set(re.findall(r"bin/neuguong (\w[\w-]*)", text)) | set(re.findall(r"`neuguong (\w[\w-]*)", text))
    assert {"backup", "restore", "migrate", "serve"} <= used
    assert used <= commands, used - commands
    for path in set(re.findall(r"(?:/opt/neuguong/src/)?(deploy/[\w./-]+\w)", text)):
        assert (REPO / path).exists(), path
    for flag in ("--force", "--safety-dir", "--db"):
        assert flag in text


def test_guide_cron_line_makes_a_backup(tmp_path: Path) -> None:
    """The guide's crontab line, with this machine's paths, makes a dated backup."""
    line = next(
        line for line in GUIDE.read_text(encoding="utf-8").splitlines() if line.startswith("30 2 * * * ")
    )
    data, backups = tmp_path / "data", tmp_path / "backups"
    backups.mkdir()
    store = open_store(sqlite_url(data / "records.sqlite"), data=data)
    store.sign_in("Lường Văn Tâm", "Sở Nội vụ", STAFF)
    env_file = tmp_path / "neuguong.env"
    env_file.write_text(f"NEUGUONG_DATA={data}\n", encoding="utf-8")
    command = (
        line.removeprefix("30 2 * * * ")
        .replace("/etc/neuguong/neuguong.env", str(env_file))
        .replace("/opt/neuguong/venv/bin/neuguong", str(NEUGUONG))
        .replace("/srv/neuguong/backups", str(backups))
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEUGUONG_")}
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    (made,) = backups.iterdir()
    assert made.name.startswith("neuguong-") and made.suffix == ".sqlite"
