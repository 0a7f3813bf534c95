"""The sizing table of ``deploy/README.md``, computed from the load benchmark's figures.

Learners per core comes from the measured capacity (concurrent learners one learner server
holds before the p95 answer round trip crosses 150 ms) divided by the machine's cores;
memory per learner is the measured RSS growth per learner, plus the idle server (Voilà and
its pooled kernels) once per server. For a number of officials, the table assumes a share of
them online at the same peak moment (``PEAK_SHARES``; an assumption, stated in the table).
"""

from __future__ import annotations

import math
import re
from typing import Any

from benchmarks import common

DEPLOY_README = common.REPO / "deploy" / "README.md"
BEGIN, END = "<!-- sizing:begin (written by make bench) -->", "<!-- sizing:end -->"
OFFICIALS = (1_000, 10_000)
PEAK_SHARES = (0.05, 0.2)  # of the officials online at the busiest moment
HEADROOM = 0.7  # plan servers to run at 70 % of the measured capacity
ANSWER_EVERY_S = 10.0  # the load benchmark's mean think time between answers


def figures(results: dict[str, Any]) -> dict[str, Any] | None:
    """Learners per server, per core and per GB, from ``results['load']['ours']``."""
    load = results.get("load") or {}
    ours = load.get("ours") or {}
    capacity = ours.get("capacity")
    per_learner = (load.get("memory_marginal_mb") or {}).get("ours")
    idle = (ours.get("idle_rss") or {}).get("total_mb")
    cores = (results.get("meta") or {}).get("machine", {}).get("cores")
    if not (capacity and per_learner and idle and cores):
        return None
    return {
        "capacity": capacity,
        "capacity_kind": ours.get("capacity_kind", ""),
        "cores": cores,
        "per_core": capacity / cores,
        "mb_per_learner": per_learner,
        "idle_mb": idle,
        "per_gb": 1024 / per_learner,
        "ran_at": load.get("ran_at", "—"),
    }


def lines(results: dict[str, Any]) -> list[str]:
    """The Markdown of the sizing section's body."""
    found = figures(results)
    if found is None:
        return ["No load figures yet: run `make bench` (`python -m benchmarks --only load`)."]
    per_server = max(1, math.floor(found["capacity"] * HEADROOM))
    out = [
        f"Measured by `make bench` on {found['cores']} cores ({found['ran_at']}; "
        "`benchmarks/RESULTS.md` has the steps): one learner server holds "
        f"**{found['capacity']:g} concurrent learners** ({found['capacity_kind']}) before the p95 "
        "answer round trip passes 150 ms, that is "
        f"**{found['per_core']:.1f} learners per core**; each learner adds "
        f"**{found['mb_per_learner']:.0f} MB** (its kernel), so "
        f"**{found['per_gb']:.0f} learners per GB**, plus {found['idle_mb']:.0f} MB per server "
        "(Voilà and its pooled home kernels).",
        "",
        f"Planning at {HEADROOM:.0%} of that ({per_server} learners per {found['cores']}-core server), "
        "with the share of officials online at the busiest moment as the assumption to adjust:",
        "",
        "| Officials | Online at the peak (assumed) | Learner servers (2 cores each) | Memory per server | "
        "Records store |",
        "|---|---|---|---|---|",
    ]
    for officials in OFFICIALS:
        for share in PEAK_SHARES:
            online = math.ceil(officials * share)
            servers = math.ceil(online / per_server)
            memory_gb = (found["idle_mb"] + found["mb_per_learner"] * math.ceil(online / servers)) / 1024
            store = "SQLite on the server" if servers == 1 else "PostgreSQL (shared), nginx sticky sessions"
            out.append(
                f"| {officials:,} | {online:,} ({share:.0%}) | {servers} | {memory_gb:.1f} GB | {store} |"
            )
    records = results.get("records") or {}
    pg, lite = (records.get("postgresql") or {}), (records.get("sqlite") or {})
    if pg.get("answers_per_s") and lite.get("answers_per_s"):
        busiest = math.ceil(max(OFFICIALS) * max(PEAK_SHARES))
        out += [
            "",
            f"Records store: each learner answers about every {ANSWER_EVERY_S:g} s, so {busiest:,} learners "
            f"online write about {busiest / ANSWER_EVERY_S:.0f} answers/s; measured with 8 concurrent "
            f"writers: SQLite {lite['answers_per_s']:.0f} answers/s (one machine only), PostgreSQL "
            f"{pg['answers_per_s']:.0f} answers/s on this 2-core machine (one transaction per answer; a "
            "dedicated database server with PgBouncer goes further).",
        ]
    out += [
        "",
        "On JupyterHub each learner has a server of their own: budget one kernel per open page "
        f"({found['mb_per_learner']:.0f} MB) plus the Voilà process per user, and the same learners per "
        "core for the nodes.",
    ]
    return out


def update_deploy_readme(results: dict[str, Any]) -> bool:
    """Rewrite the sizing block of ``deploy/README.md``; whether the markers were found."""
    text = DEPLOY_README.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        return False
    block = "\n".join([BEGIN, *lines(results), END])
    DEPLOY_README.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
    return True
