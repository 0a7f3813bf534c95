"""``benchmarks/RESULTS.md`` from ``benchmarks/out/results.json`` (and the hand-written
``benchmarks/NOTES.md``, included as it is)."""

from __future__ import annotations

from typing import Any

from benchmarks import common, sizing

RESULTS_MD = common.HERE / "RESULTS.md"
NOTES_MD = common.HERE / "NOTES.md"
TTI_GOAL = 1.2
ROUNDTRIP_GOAL = 1.2
MEMORY_GOAL = 1.25
CAPACITY_GOAL = 0.8


def _fmt(value: Any, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if value == float("inf"):
            return "∞"
        text = f"{value:.{digits}f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("**met**" if ok else "**missed**")


def _load(section: dict[str, Any]) -> str:
    start = section.get("loadavg_start")
    end = section.get("loadavg_end")
    if isinstance(start, list) and isinstance(end, list):
        return f"{start[0]:.1f} → {end[0]:.1f}"
    return "—"


def _missing(section: dict[str, Any] | None) -> str | None:
    if section is None:
        return "not run yet"
    if "error" in section:
        return f"not measured: {section['error'].splitlines()[0]}"
    if "not_measured" in section:
        return f"not measured: {section['not_measured']}"
    return None


def weight_rows(results: dict[str, Any]) -> list[list[str]]:
    """First visit on the wire (cold cache, via the bare address) and a later page."""
    section = results.get("weight")
    why = _missing(section)
    goal = f"≤ {(section or {}).get('goal_mb', 1.5)} MB, nothing lost"
    if why:
        return [["First page on the wire", why, "", "", goal, "—", "—"]]
    ours, bare, later = section["ours_first"], section["bare_first"], section["ours_later"]
    mb = 1_000_000

    def visit(data: dict[str, Any]) -> str:
        return (
            f"{data['wire_bytes'] / mb:.2f} MB in {data['requests']} files "
            f"({data['decoded_bytes'] / mb:.2f} MB decoded, {data['gzip_responses']} gzip)"
        )

    lost = "nothing lost" if not ours["failed"] else f"failed: {len(ours['failed'])}"
    return [
        [
            "First page on the wire (home via `/`, empty cache)",
            visit(bare),
            f"{visit(ours)}; {lost}",
            f"{_fmt(section.get('ratio'))}×",
            goal,
            _verdict(section.get("met")),
            _load(section),
        ],
        [
            "A later page on the wire (module page, same browser cache)",
            "",
            f"{later['wire_bytes'] / mb:.3f} MB ({later['from_cache']} of {later['requests']} files "
            "from the cache)",
            "",
            "",
            "—",
            _load(section),
        ],
    ]


def tti_rows(results: dict[str, Any]) -> list[list[str]]:
    section = results.get("tti")
    why = _missing(section)
    if why:
        return [["Time to interactive", why, "", "", f"≤ {TTI_GOAL}× bare", "—", "—"]]
    rows = []
    for mode in ("cold", "preheated"):
        data = section.get(mode)
        if not data:
            continue
        pages = data["pages"]
        bare = pages["bare"]["interactive_s"]
        load = data.get("loadavg_during", {})
        for name, page in pages.items():
            if name == "bare":
                continue
            stats = page["interactive_s"]
            ok = page.get("ratio_median") is not None and page["ratio_median"] <= TTI_GOAL
            rows.append(
                [
                    f"TTI {mode}: `{name}` (median / p95 of {stats['n']})",
                    f"{_fmt(bare['median'])} / {_fmt(bare['p95'])} s",
                    f"{_fmt(stats['median'])} / {_fmt(stats['p95'])} s",
                    f"{_fmt(page.get('ratio_median'))}× / {_fmt(page.get('ratio_p95'))}×",
                    f"≤ {TTI_GOAL}× (median)",
                    _verdict(ok),
                    f"{_fmt(load.get('min'), digits=1)}–{_fmt(load.get('max'), digits=1)}",
                ]
            )
    return rows


def roundtrip_rows(results: dict[str, Any]) -> list[list[str]]:
    section = results.get("roundtrip")
    why = _missing(section)
    if why:
        return [["Click → feedback round trip", why, "", "", f"≤ {ROUNDTRIP_GOAL}× bare", "—", "—"]]
    bare, ours = section["bare_ms"], section["ours_ms"]
    ok = section.get("ratio_median") is not None and section["ratio_median"] <= ROUNDTRIP_GOAL
    load = section.get("loadavg_during") or [None, None]
    rows = []
    dom = section.get("dom_change_ms")
    if dom:
        b, o = dom["bare"], dom["ours"]
        rows.append(
            [
                "… of which until the DOM changed (before the frame is drawn)",
                f"{_fmt(b['median'], digits=0)} / {_fmt(b['p95'], digits=0)} ms",
                f"{_fmt(o['median'], digits=0)} / {_fmt(o['p95'], digits=0)} ms",
                f"{_fmt(common.ratio(o['median'], b['median']))}×",
                "—",
                "—",
                f"{_fmt(load[0], digits=1)}–{_fmt(load[1], digits=1)}",
            ]
        )
    default = section.get("head_start_ms")
    for ms, variant in (section.get("head_starts") or {}).items():
        b, o = variant["bare_ms"], variant["ours_ms"]
        rows.append(
            [
                f"… verdict's head start {ms} ms (`NEUGUONG_HEAD_START_MS`"
                + (", the default" if str(default) == ms else "")
                + f"; median / p95 of {o['n']})",
                f"{_fmt(b['median'], digits=1)} / {_fmt(b['p95'], digits=1)} ms",
                f"{_fmt(o['median'], digits=1)} / {_fmt(o['p95'], digits=1)} ms",
                f"{_fmt(variant.get('ratio_median'))}× / {_fmt(variant.get('ratio_p95'))}×",
                "—",
                "—",
                f"{_fmt(load[0], digits=1)}–{_fmt(load[1], digits=1)}",
            ]
        )
    return [
        [
            f"Click → feedback, browser (median / p95 of {ours['n']})",
            f"{_fmt(bare['median'], digits=0)} / {_fmt(bare['p95'], digits=0)} ms",
            f"{_fmt(ours['median'], digits=0)} / {_fmt(ours['p95'], digits=0)} ms",
            f"{_fmt(section.get('ratio_median'))}× / {_fmt(section.get('ratio_p95'))}×",
            f"≤ {ROUNDTRIP_GOAL}× (median)",
            _verdict(ok),
            f"{_fmt(load[0], digits=1)}–{_fmt(load[1], digits=1)}",
        ],
        *rows,
    ]


def load_rows(results: dict[str, Any]) -> list[list[str]]:
    section = results.get("load")
    why = _missing(section)
    if why:
        return [["Capacity (learners at p95 = 150 ms)", why, "", "", f"≥ {CAPACITY_GOAL}× bare", "—", "—"]]
    bare, ours = section.get("bare", {}), section.get("ours", {})
    rows = []

    def cap(data: dict[str, Any]) -> str:
        if "error" in data:
            return "error"
        return f"{_fmt(data.get('capacity'), digits=0)} ({data.get('capacity_kind', '—')})"

    ratio = section.get("capacity_ratio")
    lower_bound = "lower bound" in str(bare.get("capacity_kind", "")) or "lower bound" in str(
        ours.get("capacity_kind", "")
    )
    rows.append(
        [
            "Capacity: learners at which p95 answer round trip crosses 150 ms",
            cap(bare),
            cap(ours),
            f"{_fmt(ratio)}×" + (" (bound)" if lower_bound else ""),
            f"≥ {CAPACITY_GOAL}×",
            _verdict(None if ratio is None or lower_bound else ratio >= CAPACITY_GOAL),
            _load(section),
        ]
    )
    mem = section.get("memory_ratio")
    n = section.get("memory_at_learners")
    marginal = section.get("memory_marginal_mb") or {}
    total = section.get("memory_total_mb") or {}
    pss = section.get("memory_pss_mb") or {}

    def cell(kind: str) -> str:
        return (
            f"{_fmt(marginal.get(kind), 'MB', 0)} (whole tree {_fmt(total.get(kind), 'MB', 0)}, "
            f"PSS {_fmt(pss.get(kind), 'MB', 0)})"
        )

    rows.append(
        [
            f"Memory per learner at {n or '—'} learners: RSS growth over the idle server "
            "(whole tree RSS / learners; PSS / learners)",
            cell("bare"),
            cell("ours"),
            f"{_fmt(mem)}× ({_fmt(section.get('memory_ratio_total'))}×; "
            f"{_fmt(section.get('memory_ratio_pss'))}×)",
            f"≤ {MEMORY_GOAL}× (RSS growth)",
            _verdict(None if mem is None else mem <= MEMORY_GOAL),
            _load(section),
        ]
    )
    return rows


def content_rows(results: dict[str, Any]) -> list[list[str]]:
    section = results.get("content")
    why = _missing(section)
    if why:
        return [["Course load", why, "", "", "< 100 ms warm", "—", "—"]]
    warm, cold = section["warm"], section["cold"]
    load = _load(section)
    return [
        [
            "Course load, warm (cached `load_course()`, median)",
            "",
            f"{_fmt(warm['cached_load_ms']['median'])} ms",
            "",
            "< 100 ms",
            _verdict(warm["cached_load_ms"]["median"] < 100),
            load,
        ],
        [
            "Course parse + validate, uncached, warm process (median)",
            "",
            f"{_fmt(warm['uncached_parse_ms']['median'], digits=0)} ms",
            "",
            "—",
            "—",
            load,
        ],
        [
            "Course load, cold process: import + first load (median) / whole process wall",
            "",
            f"{_fmt(cold['import_s']['median'])} + {_fmt(cold['first_load_s']['median'])} s / "
            f"{_fmt(cold['process_wall_s']['median'])} s",
            "",
            "—",
            "—",
            load,
        ],
    ]


def records_rows(results: dict[str, Any]) -> list[list[str]]:
    section = results.get("records")
    why = _missing(section)
    if why:
        return [["Records write throughput", why, "", "", "—", "—", "—"]]
    rows = []
    for key, label in (("sqlite", "SQLite (WAL, one file)"), ("postgresql", "PostgreSQL")):
        data = section.get(key)
        one = section.get(f"{key}_1_writer")
        if data is None:
            rows.append([f"Answers written/s, 8 writers, {label}", "", "not measured", "", "—", "—", "—"])
            continue
        rows.append(
            [
                f"Answers written/s, 8 writer processes, {label} (1 writer in brackets)",
                "",
                f"{_fmt(data['answers_per_s'], digits=0)} "
                f"({_fmt(one['answers_per_s'] if one else None, digits=0)})",
                "",
                "—",
                "—",
                _fmt(data["loadavg"][0], digits=1),
            ]
        )
    return rows


def dashboard_rows(results: dict[str, Any]) -> list[list[str]]:
    section = results.get("dashboard")
    why = _missing(section)
    if why:
        return [["Dashboard, 10,000 learners", why, "", "", "< 2 s", "—", "—"]]
    rows = []
    for key in ("sqlite", "postgresql"):
        data = section.get(key)
        if not data:
            continue
        median = data["dashboard_s"]["median"]
        rows.append(
            [
                f"Dashboard `build_dashboard`, 10,000 learners, {key} "
                "(median; first call; of which the SQL aggregations)",
                "",
                f"{_fmt(median)} s; {_fmt(data['first_call_s'])} s; "
                f"{_fmt((data.get('sql_s') or data.get('load_cohort_s') or {}).get('median'))} s",
                "",
                "< 2 s",
                _verdict(median < 2.0),
                _fmt(data["loadavg"][0], digits=1),
            ]
        )
    for key in ("sqlite", "postgresql"):
        data = (section.get(key) or {}).get("retention")
        if not data:
            continue
        median = data["retention_s"]["median"]
        rows.append(
            [
                f"Retention by clause (issue 20) with its plot, 10,000 learners, {key} "
                "(median; first call; of which the plot)",
                "",
                f"{_fmt(median)} s; {_fmt(data['first_call_s'])} s; {_fmt(data['plot_s']['median'])} s",
                "",
                "< 2 s",
                _verdict(median < 2.0),
                _fmt(data["loadavg"][0], digits=1),
            ]
        )
    return rows or [["Dashboard, 10,000 learners", "not measured", "", "", "< 2 s", "—", "—"]]


def _table(rows: list[list[str]]) -> list[str]:
    head = ["Figure", "Bare Voilà", "Ours", "Ratio", "Goal", "Result", "Load avg (1 min)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def _profile_lines(results: dict[str, Any]) -> list[str]:
    section = results.get("profile_pages")
    if _missing(section):
        return []
    lines = [
        "",
        "## Where a page's time goes (pyinstrument inside a fresh kernel, signed-in learner)",
        "",
        "| Cell | Kernel start | Cell wall | of which imports "
        "| Import time by package (`-X importtime`, self) | Kernel RSS after |",
        "|---|---|---|---|---|---|",
    ]
    for name, data in section.items():
        if not isinstance(data, dict) or "wall_s" not in data:
            continue
        packages = ", ".join(f"{k} {v:.2f}" for k, v in list(data["import_time"]["by_package_s"].items())[:6])
        lines.append(
            f"| {name} | {data['kernel_start_s']:.2f} s | {data['wall_s']:.2f} s | "
            f"{data['imports_total_s']:.2f} s | "
            f"{packages} s | {data['kernel_rss_after_mb']:.0f} MB |"
        )
    module = section.get("module")
    if isinstance(module, dict) and module.get("ours_cumulative"):
        lines += ["", "Longest functions of ours in the module page's cell (cumulative, outermost call):", ""]
        lines += [f"- {item['where']}: {item['s']:.3f} s" for item in module["ours_cumulative"][:10]]
        lines += ["", "Library calls made from our code that took longest:", ""]
        lines += [f"- {item['where']}: {item['s']:.3f} s" for item in module["library_calls_from_ours"][:6]]
        lines += ["", f"Full trees: `{module['tree_file']}` and its siblings (not committed)."]
    dash = (results.get("dashboard") or {}).get("profile")
    if isinstance(dash, dict) and dash.get("ours_cumulative"):
        lines += ["", f"Dashboard profile (one `build_dashboard` on SQLite, {dash['wall_s']:.1f} s):", ""]
        lines += [f"- {item['where']}: {item['s']:.3f} s" for item in dash["ours_cumulative"][:10]]
        lines += [
            f"- library: {item['where']}: {item['s']:.3f} s" for item in dash["library_calls_from_ours"][:5]
        ]
    return lines


def _load_steps(results: dict[str, Any]) -> list[str]:
    section = results.get("load")
    if _missing(section):
        return []
    think = section.get("think_s", {})
    lines = [
        "",
        "## Load steps (protocol-level learners)",
        "",
        f"Think time (s, uniform): read {think.get('read')}, answer {think.get('think')}, "
        f"answer chosen → Kiểm tra {think.get('pick', 'none (sent back to back)')}, "
        f"next {think.get('next')}, scale {think.get('scale')}.",
    ]
    for kind in ("bare", "ours"):
        data = section.get(kind)
        if not isinstance(data, dict) or "steps" not in data:
            continue
        lines += [
            "",
            f"**{kind}** — stopped: {data.get('stopped_because')}; idle server RSS "
            f"{_fmt((data.get('idle_rss') or {}).get('total_mb'), 'MB', 0)}; "
            f"errors {data.get('error_count', 0)}.",
            "",
            "| Learners | Answers | p95 ms | median ms | Pages loaded (median s) | RSS total MB "
            "| RSS/learner MB | PSS/learner MB | Server CPU cores | Load avg |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for step in data["steps"]:
            lines.append(
                f"| {step['learners']} | {step['answers']} | {_fmt(step['p95_ms'], digits=0)} | "
                f"{_fmt(step['median_ms'], digits=0)} | "
                f"{step['pages_loaded']} ({_fmt(step['page_median_s'])}) | "
                f"{step['rss']['total_mb']:.0f} | {step['rss_per_learner_mb']:.0f} | "
                f"{_fmt(step.get('pss_per_learner_mb'), digits=0)} | {step['server_cpu_cores']} | "
                f"{step['loadavg'][0]:.1f} |"
            )
    return lines


def render(results: dict[str, Any]) -> str:
    meta = results.get("meta", {})
    machine = meta.get("machine", {})
    versions = meta.get("versions", {})
    lines = [
        "# Benchmark results",
        "",
        "Regenerated by `make bench` (`python -m benchmarks`) from `benchmarks/out/results.json`;",
        "each browser and load figure is compared with a bare Voilà page (one Button + Label,",
        "`benchmarks/bare/bare.ipynb`) measured in the same run on the same machine.",
        "",
        f"- Date: {meta.get('date', '—')} (each section's own time is in results.json)",
        f"- Machine: {machine.get('cores', '—')} cores ({machine.get('cpu_model', '—')}), "
        f"{machine.get('memory_gb', '—')} GB memory, {machine.get('os', '—')}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        "- Load: the last column gives the 1-minute load average while each figure was taken",
        "  (2 cores: 2.0 means fully busy); anything else running on the machine inflates both sides.",
        "",
        "## Figures",
        "",
    ]
    rows = (
        weight_rows(results)
        + tti_rows(results)
        + roundtrip_rows(results)
        + load_rows(results)
        + content_rows(results)
        + records_rows(results)
        + dashboard_rows(results)
    )
    lines += _table(rows)
    lines += _profile_lines(results)
    lines += ["", "## Sizing (also in `deploy/README.md`)", "", *sizing.lines(results)]
    lines += _load_steps(results)
    if NOTES_MD.exists():
        lines += ["", NOTES_MD.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def write() -> None:
    results = common.read_results()
    RESULTS_MD.write_text(render(results), encoding="utf-8")
    sizing.update_deploy_readme(results)


if __name__ == "__main__":
    write()
