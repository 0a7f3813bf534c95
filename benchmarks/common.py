"""What every benchmark needs: the machine, statistics, and real Voilà servers on loopback.

Two kinds of server, started the same way the browser-test fixtures do:

* ``ours``: the learner site through :func:`widgets.site.launch.build_launch` (its own
  ``deploy/voila/learner/voila.py``), optionally with an extra configuration file loaded
  after it (to pool every measured notebook for the "preheated" figures);
* ``bare``: a plain ``voila`` serving ``benchmarks/bare/bare.ipynb`` with Voilà's defaults
  (``lab`` template), cold or with a one-kernel pool.

Servers bind 127.0.0.1 on a free port, run in their own process group and are stopped
(SIGTERM, then SIGKILL) together with every kernel they started.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
BARE_DIR = HERE / "bare"
BARE_NOTEBOOK = "bare.ipynb"
LEARNER_CONFIG = REPO / "deploy" / "voila" / "learner" / "voila.py"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from widgets.testing import CHROMIUM, free_port, is_kernel_process, stop_process_group  # noqa: E402 -- after the path

# ---- Machine, versions, statistics ------------------------------------------------------------


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    import psutil

    return {
        "cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu_model": cpu_model(),
        "os": platform.platform(),
    }


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("voila", "ipywidgets", "jupyter_server", "ipykernel", "tornado", "sqlalchemy", "playwright"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    try:
        text = subprocess.run(
            [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
        match = re.search(r"(\d+\.\d+\.\d+\.\d+)", text)
        found["chromium"] = match.group(1) if match else text.strip() or "absent"
    except OSError:
        found["chromium"] = "absent"
    return found


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100): an observed value, never interpolated.
    With fewer than 20 values p95 is the largest one."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """n, median, p95, min, max and the raw values (seconds or ms, as given)."""
    if not values:
        return {"n": 0, "median": None, "p95": None, "min": None, "max": None, "values": []}
    return {
        "n": len(values),
        "median": round(statistics.median(values), digits),
        "p95": round(percentile(values, 95), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "values": [round(v, digits) for v in values],
    }


def ratio(ours: float | None, bare: float | None) -> float | None:
    if ours is None or bare is None or bare <= 0:
        return None
    return round(ours / bare, 2)


PRIORITY_ENV = "NEUGUONG_BENCH_NICE"


def prioritise() -> int | None:
    """Run this process — and so every server, kernel, browser and writer it starts, which
    inherit it — at nice ``$NEUGUONG_BENCH_NICE`` (default -10; 0 leaves it alone), so that
    other jobs on a shared machine do not decide the figures. Returns the nice value set, or
    ``None`` if not allowed (not root): then the figures carry the machine's other load."""
    wanted = int(os.environ.get(PRIORITY_ENV, "-10"))
    if wanted == 0:
        return os.getpriority(os.PRIO_PROCESS, 0)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, wanted)
    except PermissionError:
        return None
    return os.getpriority(os.PRIO_PROCESS, 0)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {message}", flush=True)


# ---- Servers ----------------------------------------------------------------------------------


@dataclass
class Server:
    """A running ``voila`` (ours or bare) in its own process group."""

    kind: str
    port: int
    process: subprocess.Popen[bytes]
    work: Path
    data_dir: Path | None
    log_path: Path
    probe: str
    kernel_pids_seen: set[int] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def render_url(self, notebook: str, query: str = "") -> str:
        return f"{self.base}voila/render/{notebook}" + (f"?{query}" if query else "")

    def tree(self) -> list[Any]:
        """The server process and every live descendant (kernels)."""
        import psutil

        try:
            root = psutil.Process(self.process.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        return [p for p in procs if _alive(p)]

    def kernel_pids(self) -> list[int]:
        pids = []
        for proc in self.tree()[1:]:
            with contextlib.suppress(Exception):
                if is_kernel_process(proc.name(), proc.cmdline()):
                    pids.append(proc.pid)
        self.kernel_pids_seen.update(pids)
        return pids

    def rss(self, *, proportional: bool = False) -> dict[str, float]:
        """RSS in MB of the server process and of its kernels (psutil over the tree). With
        ``proportional``, also PSS (shared pages divided among the processes sharing them:
        RSS counts the Python libraries and a SQLite file's cache once per process)."""
        import psutil

        server = kernels = pss = 0
        count = 0
        for index, proc in enumerate(self.tree()):
            try:
                rss = proc.memory_info().rss
                if proportional:
                    pss += getattr(proc.memory_full_info(), "pss", 0)
            except psutil.Error:
                continue
            if index == 0:
                server = rss
            else:
                kernels += rss
                count += 1
        mb = 2**20
        found = {
            "server_mb": round(server / mb, 1),
            "kernels_mb": round(kernels / mb, 1),
            "total_mb": round((server + kernels) / mb, 1),
            "processes": count,
        }
        if proportional:
            found["pss_total_mb"] = round(pss / mb, 1)
        return found

    def cpu_busy(self, window: float = 0.5) -> float:
        """CPU used by the whole tree over ``window`` seconds, in cores (1.0 = one core)."""
        import psutil

        procs = self.tree()

        def total() -> float:
            spent = 0.0
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    spent += times.user + times.system
            return spent

        before = total()
        time.sleep(window)
        return (total() - before) / window

    def settle(self, *, kernels: int | None = None, timeout: float = 90.0, quiet: float = 0.15) -> float:
        """Wait until the tree uses less than ``quiet`` cores (and, if given, runs exactly
        ``kernels`` kernels); return the seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if kernels is not None and len(self.kernel_pids()) != kernels:
                time.sleep(0.3)
                continue
            if self.cpu_busy(0.5) < quiet:
                break
        return time.monotonic() - start

    def shutdown_kernel(self, kernel_id: str) -> int:
        """Voilà's page-close shutdown with the XSRF double submit (cookie + form field),
        as our template sends it (a bare page's beacon omits ``_xsrf``: voila#1458)."""
        xsrf = secrets.token_hex(16)
        request = urllib.request.Request(
            f"{self.base}voila/api/shutdown/{kernel_id}",
            data=f"_xsrf={xsrf}".encode(),
            headers={"Cookie": f"_xsrf={xsrf}", "Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return int(err.code)
        except OSError:
            return 0

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        self.kernel_pids()
        stop_process_group(self.process, timeout=30)
        for pid in self.kernel_pids_seen:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.work, ignore_errors=True)


def _alive(proc: Any) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_up(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.kind} voila exited:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.base + server.probe, timeout=3) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{server.kind} voila did not answer within {timeout} s:\n{server.log_tail()}")


def _popen(argv: Sequence[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as out:
        return subprocess.Popen(
            list(argv),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def start_ours(
    *,
    preheat: bool,
    pools: dict[str, int] | None = None,
    env: dict[str, str] | None = None,
    data_dir: Path | None = None,
    config_lines: Iterable[str] = (),
    timeout: float = 120.0,
) -> Server:
    """The learner site (``build_launch("learner")``) on a free loopback port.

    ``pools`` (notebook → pool size) replaces the configured kernel pools when preheating;
    ``config_lines`` are extra traitlets lines appended after the learner configuration.
    """
    from widgets.site.launch import build_launch

    work = Path(tempfile.mkdtemp(prefix="nk-bench-ours-"))
    data = data_dir or work / "data"
    connections = work / "connections"
    connections.mkdir()
    environ = {**os.environ, **(env or {}), "NEUGUONG_PREHEAT": "1" if preheat else "0"}
    environ.pop("NEUGUONG_DATA", None)
    port = free_port()
    spec = build_launch(
        "learner",
        port=port,
        ip="127.0.0.1",
        data_dir=data,
        environ=environ,
        extra_args=(f"--Voila.connection_dir_root={connections}",),
    )
    argv = list(spec.argv)
    lines = list(config_lines)
    if preheat and pools is not None:
        lines.append(
            "c.VoilaKernelManager.kernel_pools_config = "
            + repr({"default": {"pool_size": 0}, **{nb: {"pool_size": n} for nb, n in pools.items()}})
        )
    if lines:
        conf = work / "config"
        conf.mkdir()
        (conf / "voila.py").write_text(
            "c = get_config()  # noqa\n"
            f"load_subconfig({str(LEARNER_CONFIG)!r})  # noqa\n" + "\n".join(lines) + "\n",
            encoding="utf-8",
        )
        argv = [
            f"--Voila.config_file_paths={conf}" if a.startswith("--Voila.config_file_paths=") else a
            for a in argv
        ]
    log_path = work / "voila.log"
    server = Server(
        "ours",
        port,
        _popen(argv, spec.env, log_path),
        work,
        spec.data_dir,
        log_path,
        "voila/templates/neuguong/static/neuguong.css",
    )
    try:
        _wait_up(server, timeout)
    except Exception:
        server.stop()
        raise
    return server


def start_bare(*, preheat: bool, pool_size: int = 1, timeout: float = 120.0) -> Server:
    """Plain Voilà (defaults, ``lab`` template) serving a copy of ``benchmarks/bare``."""
    work = Path(tempfile.mkdtemp(prefix="nk-bench-bare-"))
    root = work / "root"
    shutil.copytree(BARE_DIR, root)
    empty_conf = work / "config"  # no configuration file: Voilà's defaults
    empty_conf.mkdir()
    connections = work / "connections"
    connections.mkdir()
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "voila",
        str(root),
        "--no-browser",
        f"--Voila.port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",
        f"--Voila.config_file_paths={empty_conf}",
        f"--Voila.connection_dir_root={connections}",
        f"--VoilaConfiguration.preheat_kernel={preheat}",
    ]
    if preheat:
        argv.append(f"--VoilaConfiguration.default_pool_size={pool_size}")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in ("NEUGUONG_DATA", "JUPYTER_PATH", "NEUGUONG_DB_URL"):
        env.pop(name, None)
    log_path = work / "voila.log"
    server = Server("bare", port, _popen(argv, env, log_path), work, None, log_path, "voila/static/voila.js")
    try:
        _wait_up(server, timeout)
    except Exception:
        server.stop()
        raise
    return server


# ---- Learners in a site's store ---------------------------------------------------------------


def make_learners(data_dir: Path, count: int, prefix: str = "Học viên") -> list[str]:
    """Sign ``count`` distinct learners into the SQLite store the site in ``data_dir`` uses;
    returns a session token for each (pages take ``?session=<token>``, never a learner ID)."""
    from datetime import timedelta

    from widgets.records.identity import STAFF
    from widgets.records.store import open_store

    store = open_store(None, data=data_dir)
    tokens = []
    for index in range(count):
        name = f"{prefix} {_letters(index)} {secrets.choice('ABCDEGHKLMNPQRSTUVXY')}"
        learner = store.sign_in(name, "Sở Nội vụ", STAFF)
        tokens.append(store.open_session(learner.id, timedelta(hours=12)))
    return tokens


def _letters(index: int) -> str:
    alphabet = "ABCDEGHIKLMNOPQRSTUVXY"
    word = ""
    while True:
        index, digit = divmod(index, len(alphabet))
        word = alphabet[digit] + word
        if index == 0:
            return word
        index -= 1


# ---- Results file -----------------------------------------------------------------------------


RESULTS = OUT / "results.json"


def read_results() -> dict[str, Any]:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(RESULTS.read_text(encoding="utf-8"))
    return {}


def write_section(name: str, data: dict[str, Any]) -> None:
    """Store one benchmark's figures in ``results.json``, keeping the other sections."""
    OUT.mkdir(parents=True, exist_ok=True)
    results = read_results()
    results[name] = data
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(RESULTS)
