"""``python -m benchmarks`` (``make bench``): every benchmark, then ``RESULTS.md``.

    python -m benchmarks                       # everything (about an hour on 2 cores)
    python -m benchmarks --only tti,roundtrip  # some; the other figures stay as they were
    python -m benchmarks --quick               # fewer loads and steps, to try the machinery
    python -m benchmarks --report              # only rewrite RESULTS.md from results.json

Figures go to ``benchmarks/out/results.json`` (one section per benchmark, each with the load
average it ran under); ``benchmarks/RESULTS.md`` is regenerated from it.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from benchmarks import common, report

ORDER = ("weight", "tti", "roundtrip", "load", "profile", "content", "records", "dashboard")


def _jobs(args: argparse.Namespace) -> dict[str, Callable[[], dict[str, Any]]]:
    from benchmarks import content, dashboard, load, profile, records, roundtrip, tti, weight

    quick = args.quick
    return {
        "weight": weight.run,
        "content": lambda: content.run(3 if quick else 7),
        "records": lambda: records.run(count=100 if quick else records.COUNT),
        "dashboard": lambda: dashboard.run(with_postgres=not quick),
        "profile": profile.pages,
        "roundtrip": lambda: roundtrip.run(6 if quick else roundtrip.CLICKS),
        "tti": lambda: tti.run(2 if quick else max(5, args.runs)),
        "load": lambda: load.run(args.steps or ((2, 4) if quick else load.STEPS), 0.3 if quick else 1.0),
    }


SECTION = {"profile": "profile_pages"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"comma-separated, from: {', '.join(ORDER)}")
    parser.add_argument("--skip", default="")
    parser.add_argument("--runs", type=int, default=5, help="page loads per page and mode (at least 5)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--steps",
        type=lambda text: tuple(int(n) for n in text.split(",")),
        default=(),
        help="learner counts for the load ramp, e.g. 2,4,8,16 (default: the full ramp)",
    )
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args(argv)
    if not args.report:
        nice = common.prioritise()
        common.log(f"running at nice {nice}")
        wanted = [
            n for n in ORDER if (not args.only or n in args.only.split(",")) and n not in args.skip.split(",")
        ]
        jobs = _jobs(args)
        meta = common.read_results().get("meta", {})
        meta.update({"machine": common.machine(), "versions": common.versions(), "quick": args.quick})
        meta["nice"] = nice
        meta.setdefault("runs", {})
        for name in wanted:
            common.log(f"{name}: start")
            started = time.monotonic()
            load = common.loadavg()
            try:
                data = jobs[name]()
            except Exception as error:  # keep going: the report says what could not be measured
                traceback.print_exc()
                data = {"error": f"{type(error).__name__}: {error}"[:2000]}
            data["ran_at"] = common.now_iso()
            data["duration_s"] = round(time.monotonic() - started)
            data.setdefault("loadavg_start", load)
            data["loadavg_end"] = common.loadavg()
            common.write_section(SECTION.get(name, name), data)
            meta["runs"][name] = data["ran_at"]
            meta["date"] = common.now_iso()
            common.write_section("meta", meta)
            common.log(f"{name}: done in {data['duration_s']} s")
    report.write()
    print(f"wrote {report.RESULTS_MD.relative_to(common.REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
