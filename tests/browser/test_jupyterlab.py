"""`make lab`: the notebooks work in JupyterLab as in Voilà: the same widgets, graded in the
kernel, the answers saved in the same records store. A notebook in JupyterLab has no URL to name
its learner, so the learner who signs in on the home notebook is the one the module notebooks
act for (``widgets.runtime.lab``)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from signing import fill_pin

from widgets.content.course import load_course
from widgets.records.store import open_store
from widgets.runtime.lab import remembered_token

from conftest import free_port
from driving import answer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The records folder of the JupyterLab server."""
    return tmp_path_factory.mktemp("lab-data")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, browser: Any, data: Path) -> Iterator[str]:
    """A real JupyterLab on the repository (as `make lab` runs it), with a token."""
    port, token = free_port(), secrets.token_hex(16)
    root = tmp_path_factory.mktemp("lab-root")  # JupyterLab autosaves: never into the repository
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    log = (tmp_path_factory.mktemp("lab") / "lab.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            "--allow-root",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
        ],
        env={**{k: v for k, v in os.environ.items() if k != "QUERY_STRING"}, "NEUGUONG_DATA": str(data)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail("JupyterLab did not start")
    yield f"{base}/lab/tree/notebooks/learner/{{notebook}}?token={token}"
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def run_notebook(page: Any, url: str) -> None:
    """Open a notebook in JupyterLab (alone: ``reset`` closes what the workspace had open) and
    run its one cell."""
    page.goto(f"{url}&reset")
    page.locator(".jp-Notebook").wait_for(timeout=90_000)
    page.get_by_text("| Idle").wait_for(timeout=90_000)  # the kernel is up and connected
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.keyboard.press("Shift+Enter")


def test_sign_in_on_the_home_notebook_then_a_module_is_graded_and_recorded(
    lab: str, page: Any, data: Path
) -> None:
    run_notebook(page, lab.format(notebook="home.ipynb"))
    form = page.locator(".nk-signin")
    form.wait_for(timeout=120_000)
    form.locator(".nk-name input").fill("Lò Thị Nga")
    form.locator(".nk-unit select").select_option(index=1)
    form.get_by_text("cán bộ, công chức, viên chức", exact=True).click()
    fill_pin(form)
    form.locator(".nk-signin-submit").click()
    page.locator(".nk-progress").wait_for(timeout=30_000)
    token = remembered_token(data)
    assert token  # the session's token is kept for the other notebooks, never the learner ID
    learner = open_store(data=data).resume_session(token, timedelta(hours=1))
    assert learner.full_name == "Lò Thị Nga"
    learner_id = learner.id

    module = next(m for m in load_course().modules if m.questions and m.kind.value == "lesson")
    run_notebook(page, lab.format(notebook=module.notebook))
    box = page.locator(".nk-question")
    box.wait_for(state="attached", timeout=120_000)
    box.scroll_into_view_if_needed()
    classes = box.get_attribute("class") or ""
    question = load_course().question(next(c[5:] for c in classes.split() if c.startswith("nk-q-")))
    answer(box, question)
    box.locator(".nk-submit").click()
    box.locator(".nk-feedback.nk-correct").wait_for(timeout=30_000)
    store, deadline = open_store(data=data), time.monotonic() + 30
    while not (saved := store.answers(learner_id)) and time.monotonic() < deadline:
        time.sleep(0.2)  # the kernel saves right after it shows the feedback
    assert [(a.module_id, a.question_id, a.correct) for a in saved] == [(module.id, question.id, True)]
