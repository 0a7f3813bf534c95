"""Parsing and validating the whole course (``content/``).

* cold process: a new Python process imports ``widgets.content.course`` and loads the course
  (what every Voilà kernel does once, since each page gets a fresh kernel) — the process's
  wall time, and inside it the import and the first ``load_course()``;
* warm: ``load_course()`` again in the same process (the cache checks every file's mtime and
  size, then returns the parsed course);
* uncached parse: ``check_course()`` (full parse and validation, no cache) in a warm process.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks import common

PROBE = r"""
import json, time
t0 = time.perf_counter()
from widgets.content.course import load_course
t1 = time.perf_counter()
course = load_course()
t2 = time.perf_counter()
load_course()
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_load_s": t2 - t1, "second_load_s": t3 - t2,
                  "modules": len(course.modules), "questions": len(course.questions)}))
"""


def cold(runs: int) -> dict[str, Any]:
    walls, imports, firsts, seconds = [], [], [], []
    info: dict[str, Any] = {}
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=common.REPO
        )
        walls.append(time.perf_counter() - started)
        info = json.loads(done.stdout.strip().splitlines()[-1])
        imports.append(info["import_s"])
        firsts.append(info["first_load_s"])
        seconds.append(info["second_load_s"])
    return {
        "process_wall_s": common.summary(walls),
        "import_s": common.summary(imports),
        "first_load_s": common.summary(firsts),
        "second_load_in_that_process_s": common.summary(seconds, 4),
        "modules": info.get("modules"),
        "questions": info.get("questions"),
    }


def warm(runs: int) -> dict[str, Any]:
    from widgets.content.course import check_course, load_course

    load_course()
    cached = []
    for _ in range(max(runs, 20)):
        started = time.perf_counter()
        load_course()
        cached.append(time.perf_counter() - started)
    parses = []
    problems = None
    for _ in range(runs):
        started = time.perf_counter()
        problems = check_course()
        parses.append(time.perf_counter() - started)
    return {
        "cached_load_ms": common.summary([x * 1000 for x in cached], 2),
        "uncached_parse_ms": common.summary([x * 1000 for x in parses], 1),
        "problems": len(problems or []),
    }


def run(runs: int = 7) -> dict[str, Any]:
    load_before = common.loadavg()
    result = {"definition": __doc__.split("\n\n", 1)[1].strip(), "cold": cold(runs), "warm": warm(runs)}
    result["loadavg"] = [load_before, common.loadavg()]
    result["goal_warm_ms"] = 100
    result["warm_met"] = result["warm"]["cached_load_ms"]["median"] < 100
    return result


if __name__ == "__main__":
    common.prioritise()
    data = run()
    common.write_section("content", data)
    print(json.dumps({k: v for k, v in data.items() if k != "definition"}, indent=1)[:3000])
    print("median cold first load", statistics.median(data["cold"]["first_load_s"]["values"]))
