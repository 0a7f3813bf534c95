"""Trainer dashboard time on a generated cohort of 10,000 learners.

The cohort comes from the reports tests' generator (``tests/reports/reports_cohort.py``:
every learner's quizzes, tries, scenarios, completions, final and certificate, seeded), is
written once into a SQLite file under ``benchmarks/out/`` (reused while the course, the
generator and the schema are unchanged) and, when a PostgreSQL server is at hand, into a
fresh PostgreSQL database (vacuumed and analysed after the bulk load, as autovacuum would soon
do). The figure is ``widgets.reports.dashboard.build_dashboard(statistics, course)`` — everything
the dashboard shows, unfiltered — first call in a new process and the median of the following
calls, with the reading step (the SQL statistics of ``widgets.records.statistics``, which
replaced loading every row as ``tests/reference/cohort.py`` still does) timed on its own, section
by section. The retention report (``widgets.reports.retention.retention`` with its PNG plot,
issue 20) is timed the same way, at a fixed "now" a month after the cohort starts, with the
time it takes to read the figures (``figures_s``: the stored mastery timelines, which the
generator builds after its bulk load as every write of evidence does) and to draw the plot
(``plot_s``) apart; ``python -m benchmarks.dashboard --retention [--no-pg]`` measures only it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import common

LEARNERS = 10_000
GENERATOR = common.REPO / "tests" / "reports" / "reports_cohort.py"
CALLS = 3

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from widgets.content.course import load_course
from widgets.records import db
from widgets.records.progress import requirements_for
from widgets.records.statistics import completion, items, scenarios, scores
from widgets.records.statistics.filters import Filters
from widgets.records.statistics.snapshot import Statistics
from widgets.reports.dashboard import build_dashboard
course = load_course()
engine = db.get_engine(sys.argv[1])
statistics = Statistics(engine)
t1 = time.perf_counter()
times = []
for _ in range(int(sys.argv[2])):
    s = time.perf_counter(); data = build_dashboard(statistics, course); times.append(time.perf_counter() - s)
f, questions = Filters(), {q.id: q for q in course.questions}
steps = {
    "learners": lambda conn: completion.learner_completion(conn, f, requirements_for(course)),
    "scores": lambda conn: scores.score_report(conn, f, data.quiz_id),
    "items": lambda conn: items.item_statistics(conn, f, data.quiz_id, questions),
    "nodes": lambda conn: scenarios.scenario_analysis(conn, f, course.scenarios),
}
sections = {}
with engine.connect() as conn:
    for name, step in steps.items():
        s = time.perf_counter(); step(conn); sections[name] = time.perf_counter() - s
print(json.dumps({"import_s": t1 - t0, "dashboard_s": times, "reads_s": [sum(sections.values())],
                  "sections_s": sections, "learners": len(data.learners),
                  "answers": sum(item.n for item in data.items)}))
"""


RETENTION_PROBE = r"""
import json, sys, time
from datetime import UTC, datetime, timedelta
from widgets.content.course import load_course
from widgets.records import db
from widgets.records.statistics.snapshot import Statistics
from widgets.reports import plots, retention
course = load_course()
statistics = Statistics(db.get_engine(sys.argv[1]))
now = datetime(2025, 3, 3, 1, tzinfo=UTC) + timedelta(days=30)  # the cohort's month (a fixed "now")
times, reads, figures = [], [], []
for _ in range(int(sys.argv[2])):
    s = time.perf_counter()
    found = retention.retention(statistics, course, now=now)
    r = time.perf_counter()
    plots.data_uri(plots.retention_plot(found))
    e = time.perf_counter()
    times.append(e - s); reads.append(r - s); figures.append(e - r)
print(json.dumps({"retention_s": times, "figures_s": reads, "plot_s": figures, "learners": found.learners,
                  "moments": len(found.moments)}))
"""


def measure_retention(url: str) -> dict[str, Any]:
    """Retention by clause (``widgets.reports.retention.retention`` and its plot, PNG), a new process,
    first call and the median of the others."""
    load = common.loadavg()
    done = subprocess.run(
        [sys.executable, "-c", RETENTION_PROBE, url, str(CALLS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=common.REPO,
        timeout=1800,
    )
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "first_call_s": round(raw["retention_s"][0], 3),
        "retention_s": common.summary(raw["retention_s"][1:] or raw["retention_s"]),
        "figures_s": common.summary(raw["figures_s"][1:] or raw["figures_s"]),
        "plot_s": common.summary(raw["plot_s"][1:] or raw["plot_s"]),
        "learners": raw["learners"],
        "moments": raw["moments"],
        "loadavg": load,
        "loadavg_end": common.loadavg(),
    }


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("nk_bench_reports_cohort", GENERATOR)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _key() -> str:
    from widgets.content.course import default_content_dir
    from widgets.records import migrations

    digest = hashlib.sha256()
    digest.update(GENERATOR.read_bytes())
    digest.update((common.REPO / "widgets" / "records" / "schema.py").read_bytes())
    digest.update(Path(migrations.__file__).read_bytes())
    for path in sorted(default_content_dir().rglob("*")):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def populate(url: str) -> dict[str, Any]:
    from widgets.content.course import load_course
    from widgets.records.store import open_store

    store = open_store(url, data=common.OUT / "dashboard-data")
    started = time.perf_counter()
    expected = _generator().generate(store.engine, load_course(), LEARNERS)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return {"generate_s": round(time.perf_counter() - started, 1), "rows": dict(expected.rows)}


def measure(url: str) -> dict[str, Any]:
    load = common.loadavg()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, url, str(CALLS)],
        capture_output=True,
        text=True,
        check=True,
        cwd=common.REPO,
        timeout=1800,
    )
    raw = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "first_call_s": round(raw["dashboard_s"][0], 3),
        "dashboard_s": common.summary(raw["dashboard_s"][1:] or raw["dashboard_s"]),
        "sql_s": common.summary(raw["reads_s"]),
        "sections_s": {name: round(value, 3) for name, value in raw["sections_s"].items()},
        "learners_shown": raw["learners"],
        "item_marks_analysed": raw["answers"],
        "loadavg": load,
    }


def profile_once(url: str) -> dict[str, Any]:
    """One ``build_dashboard`` under pyinstrument, in this process."""
    from benchmarks.profile import call
    from widgets.content.course import load_course
    from widgets.records import db
    from widgets.records.statistics.snapshot import Statistics
    from widgets.reports.dashboard import build_dashboard

    return call("dashboard", build_dashboard, Statistics(db.get_engine(url)), load_course())


def run(with_postgres: bool = True, only_retention: bool = False) -> dict[str, Any]:
    """Every figure; with ``only_retention`` only the retention report's (``--retention``), kept
    in the ``dashboard`` section's ``retention`` entries next to the dashboard's figures."""
    result: dict[str, Any] = {"definition": __doc__.split("\n\n", 1)[1].strip(), "goal_s": 2.0}
    if not (common.REPO / "widgets" / "reports" / "dashboard.py").is_file():
        result["not_measured"] = "widgets/reports/dashboard.py does not exist yet"
        return result
    if not GENERATOR.is_file():
        result["not_measured"] = f"the cohort generator {GENERATOR.relative_to(common.REPO)} is missing"
        return result
    from widgets.records import db
    from widgets.records.config import sqlite_url

    common.OUT.mkdir(parents=True, exist_ok=True)
    key = _key()
    path = common.OUT / f"cohort-{LEARNERS}-{key}.sqlite"
    if not path.exists():
        for old in common.OUT.glob(f"cohort-{LEARNERS}-*.sqlite*"):
            old.unlink()
        common.log(f"dashboard: generating {LEARNERS} learners into {path.name}")
        # Generated under another name and renamed when complete: a run killed while generating
        # once left a partial cohort here, which the next run measured as if it were whole.
        partial = path.with_suffix(".partial")
        for leftover in common.OUT.glob(f"{partial.name}*"):
            leftover.unlink()
        result["sqlite_cohort"] = populate(sqlite_url(partial))
        db.dispose_engines()  # the last connection folds the WAL into the file
        partial.replace(path)
    if only_retention:
        result["sqlite"] = {"retention": measure_retention(sqlite_url(path))}
    else:
        result["sqlite"] = measure(sqlite_url(path))
        common.log(f"dashboard sqlite: median {result['sqlite']['dashboard_s']['median']} s")
        result["sqlite"]["retention"] = measure_retention(sqlite_url(path))
    common.log(f"retention sqlite: median {result['sqlite']['retention']['retention_s']['median']} s")
    if not only_retention and result["sqlite"]["dashboard_s"]["median"] >= result["goal_s"]:
        result["profile"] = profile_once(sqlite_url(path))
    if with_postgres:
        from benchmarks.records import postgres

        with postgres() as (url, source):
            result["postgresql_source"] = source
            if url is not None:
                result["postgresql_cohort"] = populate(url)
                result["postgresql"] = {} if only_retention else measure(url)
                if not only_retention:
                    common.log(
                        f"dashboard postgresql: median {result['postgresql']['dashboard_s']['median']} s"
                    )
                kept = result["postgresql"]["retention"] = measure_retention(url)
                common.log(f"retention postgresql: median {kept['retention_s']['median']} s")
    return result


if __name__ == "__main__":
    common.prioritise()
    alone = "--retention" in sys.argv
    data = run("--no-pg" not in sys.argv, only_retention=alone)
    if alone:  # the dashboard's own figures stay as they were
        kept = common.read_results().get("dashboard") or {}
        for key in ("sqlite", "postgresql"):
            if key in data:
                kept.setdefault(key, {})["retention"] = data[key]["retention"]
        data = {**kept, "definition": data["definition"], "goal_s": data["goal_s"]}
    common.write_section("dashboard", data)
    print(json.dumps({k: v for k, v in data.items() if k != "definition"}, indent=1))
