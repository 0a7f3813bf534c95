"""The wheel alone serves the course: built from this checkout, installed (not editable) into a new
virtual environment, and run from a folder outside the repository.

Installing every dependency afresh takes about a minute from a local index, several on a slow
line. So by default the new environment borrows the dependencies already installed beside the
test run (a ``.pth`` line naming their ``site-packages``; the kit itself is not visible through it,
since an editable install's own ``.pth`` is not read from there) and the wheel goes in with
``--no-deps``, after ``pip`` has checked that the declared dependencies are satisfied.
``NEUGUONG_WHEEL_FULL_INSTALL=1`` installs everything from the package index instead.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from widgets import __version__
from widgets.i18n import t

REPO = Path(__file__).resolve().parents[1]
FULL_INSTALL_ENV = "NEUGUONG_WHEEL_FULL_INSTALL"
START_TIMEOUT_S = 240
PAGE_TIMEOUT_S = 240

pytestmark = pytest.mark.slow


def _run(argv: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=900, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{argv}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (hatchling from the test environment, no download)."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", out, REPO])
    (built,) = out.glob("neuguong-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel installed; returns its ``bin`` folder."""
    root = tmp_path_factory.mktemp("venv")
    venv.create(root, with_pip=True)
    bindir = root / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    started = time.monotonic()
    if os.environ.get(FULL_INSTALL_ENV) == "1":
        _run([python, "-m", "pip", "install", "--disable-pip-version-check", wheel])
    else:
        purelib = _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
        ).stdout.strip()
        (Path(purelib) / "neuguong-test-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
        _run([python, "-m", "pip", "install", "--disable-pip-version-check", "--no-deps", wheel])
        _run([python, "-m", "pip", "check"])  # every declared dependency is there, at a declared version
    print(f"wheel install: {time.monotonic() - started:.1f} s")
    return bindir


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEUGUONG_", "JUPYTER_", "PYTHON"))}
    if os.environ.get(FULL_INSTALL_ENV) != "1":
        # The borrowed dependencies' data (Voilà's base templates) is in their own prefix.
        env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return {**env, "PYTHONUNBUFFERED": "1", **extra}


def test_the_wheel_carries_the_course_the_site_and_the_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = f"neuguong-{__version__}.data/data/share/jupyter/voila/templates/neuguong/"
    assert {f"{data}conf.json", f"{data}index.html.j2", f"{data}static/neuguong.css"} <= names
    # The session script's ES modules, each part the template's import map names.
    session = REPO / "share/jupyter/voila/templates/neuguong/static/session"
    parts = {f"{data}static/session/{path.name}" for path in session.glob("*.js")}
    assert len(parts) > 1 and parts | {f"{data}static/neuguong-session.js"} <= names
    for path in (
        "widgets/_data/content/course.yml",
        "widgets/_data/content/source/clauses.md",
        "widgets/_data/notebooks/learner/home.ipynb",
        "widgets/_data/notebooks/trainer/dashboard.ipynb",
        "widgets/_data/deploy/voila/learner/voila.py",
        "widgets/i18n/vi.yml",
        "widgets/render/templates/trainer_guide.html.j2",
        f"neuguong-{__version__}.dist-info/licenses/LICENSE",
    ):
        assert path in names
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".sqlite"))]
    assert not [n for n in names if n.startswith(("tests/", "widgets/_data/var"))]


def test_the_installed_kit_uses_its_own_files(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import widgets, widgets.resources as r\n"
        "print(widgets.__file__); print(r.is_checkout()); print(r.kit_root()); print(r.share_jupyter())\n"
    )
    lines = _run([installed / "python", "-c", probe], cwd=tmp_path, env=_clean_env()).stdout.split()
    prefix = str(installed.parent)
    assert lines[0].startswith(prefix) and lines[1] == "False"
    assert lines[2].startswith(prefix) and lines[3] == str(Path(prefix) / "share" / "jupyter")
    version = _run([installed / "neuguong", "--version"], cwd=tmp_path, env=_clean_env()).stdout
    assert version.strip() == f"neuguong {__version__}"
    # init: an editable copy of the course, which the installed kit validates
    _run([installed / "neuguong", "init", tmp_path / "khoa-hoc"], cwd=tmp_path, env=_clean_env())
    assert (tmp_path / "khoa-hoc" / "course.yml").is_file()
    checked = _run(
        [installed / "neuguong", "check"],
        cwd=tmp_path,
        env=_clean_env(NEUGUONG_CONTENT=str(tmp_path / "khoa-hoc")),
    )
    assert "khoa-hoc" not in checked.stderr


def test_the_installed_kit_serves_the_home_page_from_any_folder(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    port = _free_port()
    proc = subprocess.Popen(
        [str(installed / "neuguong"), "serve", "--port", str(port), "--data", str(tmp_path / "data")],
        cwd=elsewhere,
        env=_clean_env(NEUGUONG_PREHEAT="0", NEUGUONG_CACHE=str(tmp_path / "cache")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    assert proc.stdout is not None and proc.stderr is not None
    threading.Thread(target=lambda: [lines.put(x.strip()) for x in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [log.append(x) for x in proc.stderr], daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    try:
        lines.get(timeout=60)  # "Đang khởi động …"
        try:
            ready = lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            pytest.fail("no ready line:\n" + "".join(log[-40:]))
        assert ready == t("cli.serve.ready", url=url)
        with urllib.request.urlopen(f"{url}voila/render/home.ipynb", timeout=PAGE_TIMEOUT_S) as response:
            assert response.status == 200
            page = response.read().decode("utf-8")
        assert "neuguong.css" in page, "the page uses the installed neuguong template"
        assert "application/vnd.jupyter.widget-state+json" in page or "widget" in page
        served = "".join(log)
        assert "Traceback" not in served, served[-3000:]
        outside = [line for line in served.splitlines() if str(REPO) in line.replace(sys.prefix, "")]
        assert outside == [], "nothing is read from the checkout"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
