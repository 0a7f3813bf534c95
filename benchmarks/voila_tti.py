"""Time-to-interactive of Voilà pages: our site (cold and preheated) beside a bare Voilà.

Usage: ``.venv/bin/python benchmarks/voila_tti.py [--runs 5] [--root DIR] [NOTEBOOK ...]``

Servers: ``bare`` (stock Voilà, lab template, no configuration) serving the one-button
notebook ``tests/browser/notebooks/home.ipynb``; ``cold`` and ``preheated`` (our learner
configuration with ``NEUGUONG_PREHEAT=0``/``1``) serving ``--root`` (default: the same
test notebooks; use ``--root notebooks/learner home.ipynb 02-tong-quan.ipynb`` for the site).
For each server and notebook, opens the page ``--runs`` times in headless Debian Chromium
(non-loopback requests aborted) and records the time from navigation to (a) the first
widget visible and (b) the kernel idle after rendering. Prints medians and writes JSON to
``benchmarks/out/voila_tti.json``. Between runs it waits for the preheated pool to refill.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from widgets.site.launch import build_launch  # noqa: E402

TEST_NOTEBOOKS = REPO / "tests" / "browser" / "notebooks"
BARE_NOTEBOOK = "home.ipynb"  # one Button and one Label
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_IDLE = """async () => {
    const el = document.getElementById('jupyter-config-data');
    if (!el) return false;
    const config = JSON.parse(el.textContent);
    if (!config.kernelId) return false;
    const r = await fetch(`${config.baseUrl}api/kernels/${config.kernelId}`, {cache: 'no-store'});
    return r.ok && (await r.json()).execution_state === 'idle';
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(port: int, path: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # answering, even if not with 200
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


def kernel_count(pid: int) -> int:
    import psutil

    return sum(
        "ipykernel_launcher" in " ".join(child.cmdline())
        for child in psutil.Process(pid).children(recursive=True)
        if child.status() != psutil.STATUS_ZOMBIE
    )


def start(kind: str, root: Path, data: Path, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    if kind == "bare":
        argv = [
            sys.executable,
            "-m",
            "voila",
            str(root),
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
        ]
        env = {**os.environ, "NEUGUONG_DATA": str(data)}
        probe = "voila/static/"
    else:
        env = {**os.environ, "NEUGUONG_PREHEAT": "1" if kind == "preheated" else "0"}
        spec = build_launch("learner", port=port, ip="127.0.0.1", root_dir=root, data_dir=data, environ=env)
        argv, env = list(spec.argv), spec.env
        probe = "voila/templates/neuguong/static/neuguong.css"
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    wait_up(port, probe)
    return proc, port


def measure(browser, port: int, notebook: str) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page = context.new_page()
    t0 = time.monotonic()
    page.goto(f"http://127.0.0.1:{port}/voila/render/{notebook}", wait_until="commit")
    page.wait_for_selector("#rendered_cells .jupyter-widgets", state="visible", timeout=120_000)
    visible = time.monotonic() - t0
    page.wait_for_function(WAIT_IDLE, timeout=120_000, polling=100)
    idle = time.monotonic() - t0
    page.goto(f"http://127.0.0.1:{port}/voila/static/", wait_until="commit")  # leave: beacon
    context.close()
    return visible, idle


def settle(kind: str, pid: int) -> None:
    """Wait until the previous page's kernel is gone and, preheated, the pool is full."""
    if kind == "bare":
        return  # bare Voilà leaks every page's kernel (voila#1458): nothing to wait for
    baseline = 2 if kind == "preheated" else 0
    deadline = time.monotonic() + 60
    while kernel_count(pid) != baseline and time.monotonic() < deadline:
        time.sleep(0.2)
    if kind == "preheated":
        time.sleep(1.0)  # let the pooled kernels finish executing the notebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", default=["home.ipynb", "other.ipynb"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=TEST_NOTEBOOKS)
    parser.add_argument("--kinds", default="bare,cold,preheated")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the finally clauses

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="tti-"))
    kinds = args.kinds.split(",")
    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    plan = [(k, nb) for nb in args.notebooks for k in kinds if k != "bare"]
    if "bare" in kinds:
        plan.insert(0, ("bare", BARE_NOTEBOOK))
    samples: dict[tuple[str, str], tuple[list[float], list[float]]] = {key: ([], []) for key in plan}
    try:
        for kind in kinds:  # one root per server, no shared state
            root = work / f"root-{kind}"
            shutil.copytree(TEST_NOTEBOOKS if kind == "bare" else args.root, root)
            servers[kind] = start(kind, root, work / f"data-{kind}", work / f"{kind}.log")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            # Interleaved, so that every server sees the same background load.
            for _ in range(args.runs):
                for kind, notebook in plan:
                    proc, port = servers[kind]
                    settle(kind, proc.pid)
                    visible, idle = measure(browser, port, notebook)
                    samples[kind, notebook][0].append(visible)
                    samples[kind, notebook][1].append(idle)
            browser.close()
    finally:
        for proc, _ in servers.values():
            os.killpg(proc.pid, signal.SIGTERM)
        for proc, _ in servers.values():
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    results: dict[str, dict[str, dict[str, object]]] = {}
    for (kind, notebook), (visible, idle) in samples.items():
        results.setdefault(kind, {})[notebook] = {
            "visible_median": round(statistics.median(visible), 3),
            "interactive_median": round(statistics.median(idle), 3),
            "visible": [round(x, 3) for x in visible],
            "interactive": [round(x, 3) for x in idle],
        }
        print(
            f"{kind:10s} {notebook:14s} visible {statistics.median(visible):6.2f} s"
            f"   interactive {statistics.median(idle):6.2f} s   (runs: "
            + ", ".join(f"{x:.2f}" for x in idle)
            + ")"
        )
    load = os.getloadavg()
    results["_machine"] = {"cpus": os.cpu_count(), "loadavg_at_end": [round(x, 2) for x in load]}
    print(f"cpus {os.cpu_count()}, load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "voila_tti.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
