"""Page weight on the wire: what a first visit downloads, ours against the bare page.

A fresh browser context (empty cache) opens our site's bare address (``/``, which redirects to
the home page) and waits for the home page's module cards and an idle kernel; another fresh
context opens the bare Voilà page and waits for its button. Chromium's own network log (CDP
``Network.loadingFinished``) gives each response's bytes on the wire (headers and body as
received, compressed or not) and its decoded size; ``nothing lost`` means every request
succeeded and our decoded bytes are what the same page weighs uncompressed. The same context
then opens a module page: what a later page costs once the browser cache holds the assets.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks import common
from benchmarks.browser import READY, WATCH_VISIBLE, chromium, new_context

GOAL_MB = 1.5
TIMEOUT_MS = 180_000
MB = 1_000_000


def _record(context: Any, page: Any) -> dict[str, dict[str, Any]]:
    """Per request id: url, status, content-encoding, cache-control, wire and decoded bytes."""
    seen: dict[str, dict[str, Any]] = {}
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")

    def response(event: dict[str, Any]) -> None:
        resp = event["response"]
        headers = {k.lower(): v for k, v in resp.get("headers", {}).items()}
        seen.setdefault(event["requestId"], {}).update(
            url=resp["url"],
            status=resp["status"],
            encoding=headers.get("content-encoding", ""),
            cache_control=headers.get("cache-control", ""),
            from_cache=bool(resp.get("fromDiskCache") or resp.get("fromMemoryCache")),
        )

    def data(event: dict[str, Any]) -> None:
        entry = seen.setdefault(event["requestId"], {})
        entry["decoded"] = entry.get("decoded", 0) + event.get("dataLength", 0)

    def finished(event: dict[str, Any]) -> None:
        seen.setdefault(event["requestId"], {})["wire"] = event.get("encodedDataLength", 0)

    def failed(event: dict[str, Any]) -> None:
        seen.setdefault(event["requestId"], {})["failed"] = event.get("errorText", "failed")

    cdp.on("Network.responseReceived", response)
    cdp.on("Network.dataReceived", data)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed)
    return seen


def _visit(context: Any, url: str, selector: str) -> dict[str, Any]:
    """Open ``url`` in a new tab of ``context`` until ``selector`` shows and the kernel is idle."""
    page = context.new_page()
    seen = _record(context, page)
    page.add_init_script(f"({WATCH_VISIBLE})({selector!r})")
    started = time.monotonic()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    timing = page.wait_for_function(READY, polling=50, timeout=TIMEOUT_MS).json_value()
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    wall = time.monotonic() - started
    page.close(run_before_unload=True)
    entries = [e for e in seen.values() if "url" in e and not e["url"].startswith("data:")]
    over_network = [e for e in entries if not e.get("from_cache")]
    compressible = [e for e in over_network if e.get("decoded", 0) >= 1024 and _is_text(e["url"])]
    return {
        "url": url,
        "requests": len(entries),
        "from_cache": len(entries) - len(over_network),
        "wire_bytes": sum(e.get("wire", 0) for e in entries),
        "decoded_bytes": sum(e.get("decoded", 0) for e in entries),
        "gzip_responses": sum(1 for e in entries if e.get("encoding") == "gzip"),
        "text_responses_over_1k": len(compressible),
        "long_cache_responses": sum(1 for e in entries if "max-age=" in e.get("cache_control", "")),
        "failed": sorted(e["url"] for e in entries if e.get("failed") or e.get("status", 200) >= 400),
        "wall_s": round(wall, 2),
        "kernel": timing.get("kernel"),
    }


def _is_text(url: str) -> bool:
    path = url.split("?", 1)[0]
    return path.endswith((".js", ".css", ".json", ".html", ".ipynb", ".svg")) or "/voila/render/" in path


def run() -> dict[str, Any]:
    """First visit (cold cache) and a later page, ours and bare; figures in bytes and MB."""
    from benchmarks.tti import site_pages

    result: dict[str, Any] = {"definition": __doc__.split("\n\n", 1)[1].strip(), "goal_mb": GOAL_MB}
    bare = common.start_bare(preheat=False)
    ours = common.start_ours(preheat=False)
    blocked: list[str] = []
    try:
        assert ours.data_dir is not None
        learner = common.make_learners(ours.data_dir, 1, prefix="Đo dung lượng")[0]
        module = next(nb for nb in site_pages() if nb != "home.ipynb")
        with chromium() as browser:
            context = new_context(browser, blocked)
            try:
                first = _visit(context, f"{ours.base}?session={learner}", ".nk-module-card")
                later = _visit(context, ours.render_url(module, f"session={learner}"), ".nk-page")
            finally:
                context.close()
            context = new_context(browser, blocked)
            try:
                bare_first = _visit(context, bare.render_url(common.BARE_NOTEBOOK), ".widget-button")
            finally:
                context.close()
        for visit, server in ((first, ours), (later, ours), (bare_first, bare)):
            if visit.get("kernel"):
                server.shutdown_kernel(visit.pop("kernel"))
    finally:
        ours.stop()
        bare.stop()
    result["ours_first"] = first
    result["ours_later"] = later
    result["bare_first"] = bare_first
    result["ours_first_mb"] = round(first["wire_bytes"] / MB, 2)
    result["bare_first_mb"] = round(bare_first["wire_bytes"] / MB, 2)
    result["ratio"] = common.ratio(first["wire_bytes"], bare_first["wire_bytes"])
    result["met"] = first["wire_bytes"] <= GOAL_MB * MB and not first["failed"]
    result["blocked_requests"] = sorted(set(blocked))
    return result


if __name__ == "__main__":
    import json

    common.prioritise()
    data = run()
    common.write_section("weight", data)
    print(json.dumps({k: v for k, v in data.items() if k != "definition"}, indent=1))
