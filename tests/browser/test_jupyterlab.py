"""`make lab`: a module notebook works in JupyterLab as in Voilà: the same widgets, graded in the
kernel, the answer saved in the same records store for the learner the page acts for (Voilà hands
the kernel the request's ``QUERY_STRING``; a JupyterLab kernel inherits it from the server)."""

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
from pathlib import Path
from typing import Any

import pytest

from widgets.content.course import load_course
from widgets.content.model import QuestionType
from widgets.records.identity import STAFF
from widgets.records.store import open_store

from conftest import free_port
from driving import answer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def learner(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A records folder with one signed-in learner: (folder, learner ID)."""
    data = tmp_path_factory.mktemp("lab-data")
    return data, open_store(data=data).sign_in("Lò Thị Nga", "Sở Nội vụ", STAFF).id


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, browser: Any, learner: tuple[Path, str]) -> Iterator[str]:
    """A real JupyterLab on the repository (as `make lab` runs it), with a token, its kernels
    acting for ``learner``."""
    port, token = free_port(), secrets.token_hex(16)
    data, learner_id = learner
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
        env={**os.environ, "NEUGUONG_DATA": str(data), "QUERY_STRING": f"learner={learner_id}"},
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


def test_module_notebook_runs_grades_and_records_in_jupyterlab(
    lab: str, page: Any, learner: tuple[Path, str]
) -> None:
    module = next(m for m in load_course().modules if m.questions and m.kind.value == "lesson")
    page.goto(lab.format(notebook=module.notebook))
    page.locator(".jp-Notebook").wait_for(timeout=90_000)
    page.get_by_text("| Idle").wait_for(timeout=90_000)  # the kernel is up and connected
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.keyboard.press("Shift+Enter")
    box = page.locator(".nk-question")
    box.wait_for(state="attached", timeout=120_000)
    box.scroll_into_view_if_needed()
    classes = box.get_attribute("class") or ""
    question = load_course().question(next(c[5:] for c in classes.split() if c.startswith("nk-q-")))
    answer(box, question)
    box.locator(".nk-submit").click()
    box.locator(".nk-feedback.nk-correct").wait_for(timeout=30_000)
    assert question.type in set(QuestionType)
    data, learner_id = learner
    store, deadline = open_store(data=data), time.monotonic() + 30
    while not (saved := store.answers(learner_id)) and time.monotonic() < deadline:
        time.sleep(0.2)  # the kernel saves right after it shows the feedback
    assert [(a.module_id, a.question_id, a.correct) for a in saved] == [(module.id, question.id, True)]
