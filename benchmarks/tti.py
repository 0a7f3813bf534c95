"""Time to interactive in headless Chromium: our pages against the bare page, same run.

For each mode (``cold``: no preheating; ``preheated``: every measured notebook served from a
one-kernel pool) a bare Voilà and our learner site run side by side. Each round loads the
bare page and then every page of ours once, each in a new tab of one browser context per site
(so the HTTP cache is warm, as for an official moving between pages; the warm-up load of
each page fills it), after the servers have gone quiet (pools refilled, previous kernels shut
down). Time to interactive is from navigation start to (a) the page's first question
(``.nk-question``) or, on pages without one, its module content (``.nk-page``; the home
page: ``.nk-module-card``) visible, and (b) the page's kernel reporting idle. Pages are
opened by a signed-in learner (``?session=<token>``), as officials use them.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks import common
from benchmarks.browser import READY, WATCH_VISIBLE, chromium, new_context

HOME = "home.ipynb"
BARE_SELECTOR = ".widget-button"
TIMEOUT_MS = 180_000


def site_pages() -> list[str]:
    """The home page and every module page, in course order."""
    from widgets.content.course import load_course

    return [HOME, *(module.notebook for module in load_course().modules)]


def load_once(
    context: Any, server: common.Server, notebook: str, selector: str, query: str
) -> dict[str, Any]:
    """One page load in a new tab of ``context``; returns the in-page timings (ms), then
    closes the tab and shuts the page's kernel down (as the page-close beacon does)."""
    page = context.new_page()
    try:
        page.add_init_script(f"({WATCH_VISIBLE})({selector!r})")
        started = time.monotonic()
        page.goto(server.render_url(notebook, query), wait_until="commit", timeout=TIMEOUT_MS)
        timing = page.wait_for_function(READY, polling=50, timeout=TIMEOUT_MS).json_value()
        timing["wall_s"] = round(time.monotonic() - started, 3)
        timing["question_shown"] = bool(page.locator(".nk-question").count())
    finally:
        page.close(run_before_unload=True)
    if timing.get("kernel"):
        server.shutdown_kernel(timing["kernel"])
    return timing


def selector_for(context: Any, server: common.Server, notebook: str, query: str) -> str:
    """``.nk-question`` if the page shows one to this learner, else its content."""
    if notebook == HOME:
        return ".nk-module-card"
    probe = load_once(context, server, notebook, ".nk-page", query)
    return ".nk-question" if probe["question_shown"] else ".nk-page"


def run_mode(browser: Any, mode: str, pages: list[str], runs: int) -> dict[str, Any]:
    preheat = mode == "preheated"
    bare = common.start_bare(preheat=preheat, pool_size=1)
    ours = common.start_ours(preheat=preheat, pools=dict.fromkeys(pages, 1))
    blocked: dict[str, list[str]] = {"bare": [], "ours": []}
    contexts = {kind: new_context(browser, blocked[kind]) for kind in blocked}
    try:
        assert ours.data_dir is not None
        learner = common.make_learners(ours.data_dir, 1, prefix="Đo thời gian")[0]
        query = f"session={learner}"
        bare_pool, ours_pool = (1, len(pages)) if preheat else (0, 0)
        common.log(f"tti {mode}: servers up, waiting for pools ({ours_pool} kernels)")
        ours.settle(kernels=ours_pool, timeout=300)
        bare.settle(kernels=bare_pool, timeout=120)
        # Warm-up (discarded): first template compile, OS file cache; picks each page's selector.
        load_once(contexts["bare"], bare, common.BARE_NOTEBOOK, BARE_SELECTOR, "")
        selectors = {}
        for notebook in pages:
            ours.settle(kernels=ours_pool, timeout=180)
            selectors[notebook] = selector_for(contexts["ours"], ours, notebook, query)
        samples: dict[str, list[dict[str, Any]]] = {"bare": [], **{nb: [] for nb in pages}}
        loads: list[float] = []
        for round_no in range(runs):
            for target in ["bare", *pages]:
                kind = "bare" if target == "bare" else "ours"
                server, notebook, selector, q = (
                    (bare, common.BARE_NOTEBOOK, BARE_SELECTOR, "")
                    if target == "bare"
                    else (ours, target, selectors[target], query)
                )
                bare.settle(kernels=bare_pool, timeout=120)
                ours.settle(kernels=ours_pool, timeout=180)
                loads.append(common.loadavg()[0])
                timing = load_once(contexts[kind], server, notebook, selector, q)
                samples[target].append(timing)
            common.log(
                f"tti {mode} round {round_no + 1}/{runs}: bare "
                f"{samples['bare'][-1]['interactive'] / 1000:.2f} s, "
                + ", ".join(f"{nb.split('.')[0]} {samples[nb][-1]['interactive'] / 1000:.2f}" for nb in pages)
            )
        figures: dict[str, Any] = {}
        base = _stats(samples["bare"])
        for target, timings in samples.items():
            stats = _stats(timings)
            stats["selector"] = BARE_SELECTOR if target == "bare" else selectors[target]
            if target != "bare":
                stats["ratio_median"] = common.ratio(
                    stats["interactive_s"]["median"], base["interactive_s"]["median"]
                )
                stats["ratio_p95"] = common.ratio(stats["interactive_s"]["p95"], base["interactive_s"]["p95"])
            figures[target] = stats
        return {
            "pages": figures,
            "runs": runs,
            "loadavg_during": {
                "min": min(loads),
                "median": round(statistics.median(loads), 2),
                "max": max(loads),
            },
            "blocked_requests": {kind: sorted(set(urls)) for kind, urls in blocked.items()},
        }
    finally:
        for context in contexts.values():
            context.close()
        ours.stop()
        bare.stop()


def _stats(timings: list[dict[str, Any]]) -> dict[str, Any]:
    def seconds(key: str) -> list[float]:
        return [t[key] / 1000 for t in timings if t.get(key) is not None]

    server = [
        (t["response_end"]) / 1000 for t in timings if t.get("response_end") is not None
    ]  # HTML fully received: the server has executed the notebook
    return {
        "interactive_s": common.summary(seconds("interactive")),
        "visible_s": common.summary(seconds("visible")),
        "html_received_s": common.summary(server),
    }


def run(
    runs: int = 5, modes: tuple[str, ...] = ("cold", "preheated"), pages: list[str] | None = None
) -> dict[str, Any]:
    pages = pages or site_pages()
    started = common.loadavg()
    result: dict[str, Any] = {"definition": __doc__.split("\n\n", 1)[1].strip(), "loadavg_start": started}
    with chromium() as browser:
        for mode in modes:
            result[mode] = run_mode(browser, mode, pages, runs)
    result["loadavg_end"] = common.loadavg()
    return result


if __name__ == "__main__":
    common.prioritise()
    import argparse
    import json

    parser = argparse.ArgumentParser(description="time to interactive")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modes", default="cold,preheated")
    parser.add_argument("pages", nargs="*")
    args = parser.parse_args()
    data = run(args.runs, tuple(args.modes.split(",")), args.pages or None)
    common.write_section("tti", data)
    print(
        json.dumps(
            {
                m: {p: v["interactive_s"]["median"] for p, v in data[m]["pages"].items()}
                for m in args.modes.split(",")
            },
            indent=1,
        )
    )
