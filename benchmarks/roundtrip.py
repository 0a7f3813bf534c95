"""Click-to-feedback round trip in headless Chromium, ours against the bare page.

Ours: a signed-in learner on module pages answers the practice quiz question by question —
picks an answer the way a learner does (radio, checkbox, dropdowns, text; ordering as
shown), moves the pointer onto "Kiểm tra", waits for the choice to sync, then presses it;
the time runs from the click to the next animation frame after ``.nk-feedback`` changed and
shows text (the answer is graded in the kernel in between; it is saved, and the question
locked and explained, just after). A second try, when offered, is measured too; then "Câu
tiếp theo". Bare: the pointer on the Button, click → the Label's text changes. On both pages
the pointer rests on the pressed button, as a learner's does: after a change under the
pointer the browser works out again what it hovers, which costs more on a longer page. Both
servers run cold (no pool), side by side; clicks alternate between them in blocks. Ours runs
once per value of the verdict's head start (``$NEUGUONG_HEAD_START_MS``, 0 and 20 ms), each on
its own server in the same run; the headline figure is the shipped default's.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks import common
from benchmarks.browser import CLICK_TO_CHANGE, KERNEL_IDLE, READY, WATCH_VISIBLE, chromium, new_context
from widgets.runtime.publish import DEFAULT_HEAD_START_MS, HEAD_START_ENV

CLICKS = 40
HEAD_STARTS_MS = (0, 20)
"""The verdict's head starts measured side by side (ms; ``widgets/runtime/publish.py``)."""
SETTLE_S = 0.3
TIMEOUT_MS = 30_000
LESSONS = [
    "02-tong-quan.ipynb",
    "03-nguoi-dung-dau.ipynb",
    "04-thoi-gio-5-ro.ipynb",
    "05-phoi-hop-tai-san-cong.ipynb",
    "06-tiep-dan-don-thu.ipynb",
    "07-nep-song-van-minh.ipynb",
    "08-thanh-tra-giam-sat.ipynb",
]


def _open(context: Any, url: str, selector: str) -> Any:
    page = context.new_page()
    page.add_init_script(f"({WATCH_VISIBLE})({selector!r})")
    page.goto(url, wait_until="commit", timeout=180_000)
    page.wait_for_function(READY, polling=50, timeout=180_000)
    return page


def _answer(box: Any, try_no: int) -> str | None:
    """Give some answer (a different one on the second try); returns the question type, or
    ``None`` when the inputs are locked (the question is settled)."""
    action = 5_000
    try:
        radios = box.locator(".nk-choices input[type=radio]")
        if radios.count():
            radios.nth(min(try_no, radios.count() - 1)).check(timeout=action)
            return "single"
        boxes = box.locator(".nk-choices input[type=checkbox]")
        if boxes.count():
            boxes.nth(min(try_no, boxes.count() - 1)).check(timeout=action)
            return "multiple"
        selects = box.locator(".nk-matching select")
        if selects.count():
            for index in range(selects.count()):
                options = selects.nth(index).locator("option").count()
                selects.nth(index).select_option(
                    index=1 + (index + try_no) % max(1, options - 1), timeout=action
                )
            return "matching"
        text = box.locator(".nk-text-answer input")
        if text.count():
            text.fill(f"câu trả lời {try_no + 1}", timeout=action)
            text.press("Tab", timeout=action)
            return "short"
        if try_no:
            box.locator(".nk-ordering .nk-move").nth(1).click(timeout=action)
        return "ordering"
    except PlaywrightTimeout:
        return None


def ours_clicks(
    context: Any, server: common.Server, learners: list[str], wanted: int
) -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = []
    pages = iter(LESSONS * 3)
    learner_iter = iter(learners)
    while len(samples) < wanted:
        notebook = next(pages)
        page = _open(context, server.render_url(notebook, f"session={next(learner_iter)}"), ".nk-question")
        try:
            while len(samples) < wanted:
                box = page.locator(".nk-quiz .nk-question").first
                if not box.count():
                    break  # quiz finished: next module
                submit = box.locator(".nk-submit")
                for try_no in range(3):
                    if submit.is_disabled() or len(samples) >= wanted:
                        break
                    kind = _answer(box, try_no)
                    if kind is None:
                        break  # locked: the question is settled
                    submit.hover()  # the pointer goes to the button, as the learner's does
                    time.sleep(SETTLE_S)
                    load = common.loadavg()[0]
                    timing = page.evaluate(
                        CLICK_TO_CHANGE,
                        [submit.element_handle(), box.locator(".nk-feedback").element_handle(), TIMEOUT_MS],
                    )
                    samples.append(
                        {**timing, "type": kind, "try": try_no + 1, "load1": load, "page": notebook}
                    )
                    page.evaluate(KERNEL_IDLE, TIMEOUT_MS)  # grading, saving and locking are done
                    time.sleep(SETTLE_S)  # ... and the browser has applied the widget updates
                if not submit.is_disabled():
                    break  # could not settle this question: next page
                stem = box.locator(".nk-stem, .widget-html").first.inner_text()
                page.locator(".nk-quiz .nk-next").click()
                page.wait_for_function(
                    """(stem) => {
                        const box = document.querySelector('.nk-quiz .nk-question');
                        if (!box) return document.querySelector('.nk-quiz-summary') !== null;
                        const first = box.querySelector('.nk-stem, .widget-html');
                        return first && first.innerText !== stem;
                    }""",
                    arg=stem,
                    timeout=TIMEOUT_MS,
                )
        finally:
            page.close(run_before_unload=True)
    return samples


def bare_clicks(context: Any, server: common.Server, wanted: int) -> list[dict[str, Any]]:
    page = _open(context, server.render_url(common.BARE_NOTEBOOK), ".widget-button")
    samples = []
    try:
        for _ in range(wanted):
            page.locator(".widget-button").hover()
            time.sleep(SETTLE_S)
            load = common.loadavg()[0]
            timing = page.evaluate(
                CLICK_TO_CHANGE,
                [
                    page.locator(".widget-button").element_handle(),
                    page.locator(".widget-label").element_handle(),
                    TIMEOUT_MS,
                ],
            )
            samples.append({**timing, "load1": load})
    finally:
        page.close(run_before_unload=True)
    return samples


def _summaries(b: list[dict[str, Any]], o: list[dict[str, Any]]) -> dict[str, Any]:
    """Ours against bare: medians, p95s, their ratios, timeouts and the DOM-change times."""
    bare_ms = [s["ms"] for s in b if s["ms"] is not None]
    ours_ms = [s["ms"] for s in o if s["ms"] is not None]
    base, mine = common.summary(bare_ms, 1), common.summary(ours_ms, 1)
    return {
        "dom_change_ms": {
            kind: common.summary([s["mutation_ms"] for s in samples if s.get("mutation_ms") is not None], 1)
            for kind, samples in (("bare", b), ("ours", o))
        },
        "bare_ms": base,
        "ours_ms": mine,
        "timeouts": {"bare": len(b) - len(bare_ms), "ours": len(o) - len(ours_ms)},
        "ratio_median": common.ratio(mine["median"], base["median"]),
        "ratio_p95": common.ratio(mine["p95"], base["p95"]),
    }


def run(clicks: int = CLICKS, head_starts: tuple[int, ...] = HEAD_STARTS_MS) -> dict[str, Any]:
    default = DEFAULT_HEAD_START_MS if DEFAULT_HEAD_START_MS in head_starts else head_starts[-1]
    bare = common.start_bare(preheat=False)
    servers: dict[int, common.Server] = {}
    blocked: dict[str, list[str]] = {"bare": [], **{f"ours-{ms}": [] for ms in head_starts}}
    b: list[dict[str, Any]] = []
    o: dict[int, list[dict[str, Any]]] = {ms: [] for ms in head_starts}
    try:
        for ms in head_starts:
            servers[ms] = common.start_ours(preheat=False, env={HEAD_START_ENV: str(ms)})
        learners = {}
        for ms, server in servers.items():
            assert server.data_dir is not None
            learners[ms] = common.make_learners(server.data_dir, 30, prefix="Đo phản hồi")
        with chromium() as browser:
            contexts = {kind: new_context(browser, urls) for kind, urls in blocked.items()}
            # Warm-up (discarded): a few clicks on each.
            bare_clicks(contexts["bare"], bare, 3)
            for ms, server in servers.items():
                ours_clicks(contexts[f"ours-{ms}"], server, learners[ms][-1:], 3)
            half = clicks // 2
            b += bare_clicks(contexts["bare"], bare, half)
            for ms in head_starts:
                o[ms] += ours_clicks(contexts[f"ours-{ms}"], servers[ms], learners[ms][:10], half)
            b += bare_clicks(contexts["bare"], bare, clicks - half)
            for ms in reversed(head_starts):  # the other order: neither variant always goes first
                o[ms] += ours_clicks(contexts[f"ours-{ms}"], servers[ms], learners[ms][10:29], clicks - half)
            for context in contexts.values():
                context.close()
    finally:
        for server in servers.values():
            server.stop()
        bare.stop()
    every = b + [sample for samples in o.values() for sample in samples]
    return {
        **_summaries(b, o[default]),
        "definition": __doc__.split("\n\n", 1)[1].strip(),
        "head_start_ms": default,
        "head_starts": {str(ms): _summaries(b, o[ms]) for ms in head_starts},
        "ours_samples": o[default],
        "loadavg_during": [min(s["load1"] for s in every), max(s["load1"] for s in every)],
        "blocked_requests": {kind: sorted(set(urls)) for kind, urls in blocked.items()},
    }


if __name__ == "__main__":
    common.prioritise()
    data = run()
    common.write_section("roundtrip", data)
    print(
        "bare",
        data["bare_ms"]["median"],
        data["bare_ms"]["p95"],
        "ours",
        data["ours_ms"]["median"],
        data["ours_ms"]["p95"],
        data["ratio_median"],
    )
    for ms, variant in data["head_starts"].items():
        print(
            f"head start {ms} ms",
            variant["ours_ms"]["median"],
            variant["ours_ms"]["p95"],
            variant["ratio_median"],
        )
