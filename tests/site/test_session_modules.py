"""The session script's ES modules (``static/session/``): node's own tests, and the template's list.

The modules are checked without a browser by ``node --test`` (``tests/js/*.test.mjs``, one file per
module, with the small fake window and document of ``tests/js/fakes.mjs``); the browser tests
(kernel lifecycle, kiosk session, site shell) drive them on real pages. A missing ``node`` skips
here and fails in CI (``tests/conftest.py``); ``.ci/run`` installs Debian's ``nodejs``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from widgets.site.launch import SHARE_JUPYTER

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = SHARE_JUPYTER / "voila" / "templates" / "neuguong"
MODULES = TEMPLATE / "static" / "session"
NODE_TESTS = REPO / "tests" / "js"
NODE_TIMEOUT_S = 300


def module_names() -> list[str]:
    return sorted(path.stem for path in MODULES.glob("*.js"))


def test_every_session_module_has_its_node_test_file():
    names = module_names()
    assert names, f"no modules under {MODULES}"
    missing = [name for name in names if not (NODE_TESTS / f"{name}.test.mjs").is_file()]
    assert missing == []


def test_session_modules_pass_their_node_tests():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found (Debian's nodejs): the session modules' tests need it")
    files = sorted(str(path) for path in NODE_TESTS.glob("*.test.mjs"))
    assert files, f"no node tests under {NODE_TESTS}"
    # Files, not the folder: node 18 (Debian 12) and node 22 read a folder argument differently;
    # TAP whatever node's default reporter (its "# pass N" / "# fail N" totals are read below).
    done = subprocess.run(
        [node, "--test", "--test-reporter=tap", *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_S,
        check=False,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    passed = re.search(r"^# pass (\d+)$", report, re.MULTILINE)
    failed = re.search(r"^# fail (\d+)$", report, re.MULTILINE)
    assert passed and int(passed.group(1)) >= len(files), report[-3000:]
    assert failed and failed.group(1) == "0", report[-3000:]


def test_the_templates_import_map_names_every_session_module():
    """index.html.j2 lists the parts whose URLs get a ``?v=`` through the import map."""
    template = (TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    listed = re.search(r"\{%-? for part in \[([^\]]*)\] %\}", template)
    assert listed, "the template's list of session modules"
    assert sorted(re.findall(r"'([\w-]+)'", listed.group(1))) == module_names()
    assert 'include_js("static/neuguong-session.js", module=True)' in template
    assert template.index('type="importmap"') < template.index("neuguong-session.js")
