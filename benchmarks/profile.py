"""Where the time goes, with pyinstrument: a page's cell inside a real kernel, the dashboard.

``page(code)`` starts an ipykernel exactly as Voilà would for a learner page (same
environment: ``NEUGUONG_DATA``, ``QUERY_STRING``), runs the notebook's one cell under
pyinstrument inside the kernel, and returns the wall time, the peak RSS of the kernel, the
time spent importing (by top-level package) and the functions of ours and the library
calls that took longest. The full tree is written to ``benchmarks/out/profile-<name>.txt``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import common

ANALYSE = r"""
def _nk_analyse(session, repo):
    root = session.root_frame()
    imports, ours, libs = {}, {}, {}

    def walk(frame, active, in_import, caller_is_ours):
        key = (frame.file_path_short or "", frame.function or "")
        path = frame.file_path or ""
        is_import = frame.function in ("_find_and_load", "_call_with_frames_removed") and "importlib" in path
        if is_import and not in_import and frame.function == "_find_and_load":
            imports[key] = imports.get(key, 0.0) + frame.time
        mine = path.startswith(repo + "/widgets/")
        if key not in active and not in_import and frame.function != "<module>":
            if mine:
                ours[key] = ours.get(key, 0.0) + frame.time
            elif caller_is_ours and "/site-packages/" in path:
                libs[key] = libs.get(key, 0.0) + frame.time
        for child in frame.children:
            walk(child, active | {key}, in_import or (is_import and frame.function == "_find_and_load"), mine)

    walk(root, frozenset(), False, False)
    def top(found, n):
        ordered = sorted(found.items(), key=lambda kv: -kv[1])[:n]
        return [{"where": f"{k[1]} ({k[0]})", "s": round(v, 3)} for k, v in ordered]

    return {
        "imports_total_s": round(sum(imports.values()), 3),
        "ours_cumulative": top(ours, 15),
        "library_calls_from_ours": top(libs, 10),
    }
"""

KERNEL_CODE = r"""
import json as _nk_json, time as _nk_time, resource as _nk_resource
from pyinstrument import Profiler as _NkProfiler
{analyse}
_nk_p = _NkProfiler(interval=0.001)
_nk_t0 = _nk_time.perf_counter()
_nk_p.start()
{code}
_nk_p.stop()
_nk_wall = _nk_time.perf_counter() - _nk_t0
_nk_result = _nk_analyse(_nk_p.last_session, {repo!r})
_nk_result["wall_s"] = round(_nk_wall, 3)
_nk_result["maxrss_mb"] = round(_nk_resource.getrusage(_nk_resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
open({out!r}, "w", encoding="utf-8").write(_nk_json.dumps(_nk_result))
open({tree!r}, "w", encoding="utf-8").write(_nk_p.output_text(unicode=True, color=False))
"""


def page(name: str, code: str, *, query: str = "", data_dir: Path | None = None) -> dict[str, Any]:
    """Run ``code`` (a notebook cell) under pyinstrument in a fresh kernel; see the module doc."""
    from jupyter_client.manager import start_new_kernel

    common.OUT.mkdir(parents=True, exist_ok=True)
    data = data_dir or Path(tempfile.mkdtemp(prefix="nk-bench-profile-"))
    out = common.OUT / f"profile-{name}.json"
    tree = common.OUT / f"profile-{name}.txt"
    env = {**os.environ, "NEUGUONG_DATA": str(data), "QUERY_STRING": query, "PYTHONUNBUFFERED": "1"}
    env.pop("VOILA_PREHEAT", None)
    started = time.perf_counter()
    manager, client = start_new_kernel(
        kernel_name="python3", env=env, cwd=str(common.REPO / "notebooks" / "learner"), startup_timeout=180
    )
    kernel_ready = time.perf_counter() - started
    try:
        source = KERNEL_CODE.format(
            analyse=ANALYSE, code=code, repo=str(common.REPO), out=str(out), tree=str(tree)
        )
        reply = client.execute_interactive(
            source, timeout=600, store_history=False, output_hook=lambda msg: None
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"profiling {name} failed: {reply['content'].get('evalue')}")
        result = json.loads(out.read_text(encoding="utf-8"))
        import psutil

        result["kernel_rss_after_mb"] = round(
            psutil.Process(manager.provisioner.pid).memory_info().rss / 2**20, 1
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    result["kernel_start_s"] = round(kernel_ready, 3)
    result["tree_file"] = str(tree.relative_to(common.REPO))
    result["loadavg"] = common.loadavg()
    return result


def call(name: str, func: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Profile ``func(*args, **kwargs)`` in this process."""
    from pyinstrument import Profiler

    namespace: dict[str, Any] = {}
    exec(ANALYSE, namespace)
    profiler = Profiler(interval=0.001)
    started = time.perf_counter()
    profiler.start()
    func(*args, **kwargs)
    profiler.stop()
    wall = time.perf_counter() - started
    result = namespace["_nk_analyse"](profiler.last_session, str(common.REPO))
    result["wall_s"] = round(wall, 3)
    tree = common.OUT / f"profile-{name}.txt"
    tree.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    result["tree_file"] = str(tree.relative_to(common.REPO))
    result["loadavg"] = common.loadavg()
    return result


IMPORTS_PROBE = """
import sys
import ipykernel.ipkernel, IPython, comm  # already loaded in any kernel before the cell runs
sys.stderr.write("NK-MARK\\n")
sys.stderr.flush()
{statement}
"""


def imports(statement: str) -> dict[str, Any]:
    """``python -X importtime``: what the cell's own imports cost, by top-level package
    (self time summed; what a kernel has loaded before the cell runs is excluded)."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORTS_PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
        cwd=common.REPO,
    )
    lines = done.stderr.split("NK-MARK", 1)[-1].splitlines()
    by_package: dict[str, float] = {}
    for line in lines:
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = [part.strip() for part in line.removeprefix("import time:").split("|")]
        if not parts[0].isdigit():
            continue
        package = parts[2].strip().split(".")[0]
        by_package[package] = by_package.get(package, 0.0) + int(parts[0]) / 1e6
    ordered = dict(sorted(by_package.items(), key=lambda kv: -kv[1]))
    return {
        "total_s": round(sum(ordered.values()), 3),
        "by_package_s": {k: round(v, 3) for k, v in list(ordered.items())[:12]},
        "loadavg": common.loadavg(),
    }


def pages() -> dict[str, Any]:
    """The bare cell, the home page and a module page, each in a fresh kernel, signed in."""
    data = Path(tempfile.mkdtemp(prefix="nk-bench-profile-"))
    learner = common.make_learners(data, 1, prefix="Đo hồ sơ")[0]
    bare_cell = json.loads((common.BARE_DIR / common.BARE_NOTEBOOK).read_text(encoding="utf-8"))["cells"][0][
        "source"
    ]
    cells = {
        "bare": "".join(bare_cell).replace("display(button, label)", "(button, label)"),
        "home": "from widgets import home_page\nhome_page()",
        "module": 'from widgets import module_page\nmodule_page("tong-quan")',
    }
    found = {
        name: page(name, code, query=f"session={learner}", data_dir=data) for name, code in cells.items()
    }
    for name, code in cells.items():
        found[name]["import_time"] = imports(code.split("\n")[0])
    return found


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "pages"
    if what == "pages":
        found = pages()
        common.write_section("profile_pages", found)
        print(json.dumps(found, indent=1))
