"""Headless Debian Chromium through Playwright, sealed to loopback, with in-page timers.

Times are read inside the page with ``performance.now()`` (origin: navigation start), so
Playwright's own round trips do not count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from widgets.testing import CHROMIUM, CHROMIUM_ARGS, is_loopback

# Installed before any page script: remembers when ``selector`` first became visible.
WATCH_VISIBLE = """(selector) => {
    const seen = () => {
        if (window.__nkVisibleAt) return true;
        for (const el of document.querySelectorAll(selector)) {
            const ok = el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
            if (ok && el.getClientRects().length) { window.__nkVisibleAt = performance.now(); return true; }
        }
        return false;
    };
    const timer = setInterval(() => { if (seen()) clearInterval(timer); }, 10);
}"""

# Polled until truthy: the selector was seen AND the page's kernel reported idle. The
# predicate is synchronous on purpose: Playwright's ``wait_for_function`` treats the Promise
# an async predicate returns as truthy and stops at once (checked with Playwright 1.65), so
# the status request runs in the background and its answer is picked up on a later poll.
READY = """() => {
    if (!window.__nkVisibleAt) return false;
    const st = window.__nkIdle || (window.__nkIdle = {pending: false, result: null});
    if (st.result) return st.result;
    if (st.pending) return false;
    const el = document.getElementById('jupyter-config-data');
    if (!el) return false;
    const config = JSON.parse(el.textContent);
    if (!config.kernelId) return false;
    st.pending = true;
    fetch(`${config.baseUrl}api/kernels/${config.kernelId}`, {credentials: 'same-origin', cache: 'no-store'})
        .then((r) => (r.ok ? r.json() : null))
        .then((model) => {
            if (model && model.execution_state === 'idle') {
                const nav = performance.getEntriesByType('navigation')[0] || {};
                st.result = {
                    visible: window.__nkVisibleAt,
                    interactive: performance.now(),
                    response_start: nav.responseStart || null,
                    response_end: nav.responseEnd || null,
                    kernel: config.kernelId,
                };
            }
        })
        .catch(() => null)
        .finally(() => { st.pending = false; });
    return false;
}"""

# For ``page.evaluate`` (which does await): resolves once the page's kernel reports idle.
KERNEL_IDLE = """async (timeoutMs) => {
    const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
    const end = performance.now() + timeoutMs;
    while (performance.now() < end) {
        const r = await fetch(`${config.baseUrl}api/kernels/${config.kernelId}`,
                              {credentials: 'same-origin', cache: 'no-store'});
        if (r.ok && (await r.json()).execution_state === 'idle') return true;
        await new Promise((done) => setTimeout(done, 50));
    }
    return false;
}"""

# Click ``button`` and resolve with {ms, mutation_ms}: the time until ``target`` changed (text
# or classes) and shows some text — ``mutation_ms`` when the DOM changed, ``ms`` at the next
# animation frame after it (what the learner sees); ``null`` on timeout.
CLICK_TO_CHANGE = """([button, target, timeoutMs]) => new Promise((resolve) => {
    const state = () => target.innerText + '|' + target.className;
    const before = state();
    let done = false;
    let mutation = null;
    const finish = (value) => { if (!done) { done = true; observer.disconnect(); resolve(value); } };
    const observer = new MutationObserver(() => {
        if (mutation === null && state() !== before && target.innerText.trim()) {
            mutation = performance.now() - t0;
            requestAnimationFrame(() => finish({ms: performance.now() - t0, mutation_ms: mutation}));
        }
    });
    observer.observe(target, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => finish({ms: null, mutation_ms: null}), timeoutMs);
    const t0 = performance.now();
    button.click();
})"""


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright sync API); raises if it cannot start."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Any, blocked: list[str]) -> Any:
    """A 1366x768 browser context (its HTTP cache is kept between the pages opened in it).

    Requests are not intercepted (interception would add a round trip to Playwright per
    request); names other than loopback do not resolve (``--host-resolver-rules``) and any
    request for one is listed in ``blocked``."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN", service_workers="block"
    )
    context.on("request", lambda request: None if is_loopback(request.url) else blocked.append(request.url))
    return context


def new_page(browser: Any, blocked: list[str]) -> tuple[Any, Any]:
    """A fresh context (empty cache) and a page in it."""
    context = new_context(browser, blocked)
    return context, context.new_page()
