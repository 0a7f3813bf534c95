"""Shared fixtures: the small fixture course and a writable copy of it; in CI, a skip is a failure."""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator
from pathlib import Path

import pytest
from hypothesis import settings

from widgets.content.course import load_course
from widgets.content.model import Course

# Timing is not behaviour: on a loaded 2-core machine an example may take longer than
# hypothesis' default 200 ms deadline, which would fail a correct property.
settings.register_profile("neuguong", deadline=None)
settings.load_profile("neuguong")

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]

REQUIRE_ALL_ENV = "NEUGUONG_REQUIRE_ALL"
REQUIREMENT_ENVS = ("NEUGUONG_REQUIRE_BROWSER", "NEUGUONG_REQUIRE_PG", "NEUGUONG_REQUIRE_NGINX")
"""The per-requirement flags (a missing browser, database or nginx fails instead of skipping);
``NEUGUONG_REQUIRE_ALL=1`` or ``CI=true`` turns them all on, and every other skip into a failure."""


def require_all(environ: dict[str, str] | os._Environ[str] | None = None) -> bool:
    """True in CI (``CI`` set to anything but empty/0/false) or under ``NEUGUONG_REQUIRE_ALL=1``."""
    env = os.environ if environ is None else environ
    ci = env.get("CI", "").strip().lower()
    return env.get(REQUIRE_ALL_ENV) == "1" or ci not in ("", "0", "false", "no")


class SkipIsFailure:
    """Registered as a global plugin (not a path-scoped conftest hook), so that it also covers the
    nbval notebooks collected beside ``tests/``: every skip -- ``pytest.skip``, ``skipif``,
    ``importorskip``, a skipped module -- is reported as a failure with its reason, and a run that
    collected nothing (exit code 5) fails with exit code 1. Expected failures (xfail) are untouched."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
        outcome = yield
        _fail_if_skipped(outcome.get_result())

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None]:
        outcome = yield
        _fail_if_skipped(outcome.get_result())

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_report_header(self, config: pytest.Config) -> str:
        return f"neuguong: CI mode ({REQUIRE_ALL_ENV}=1 or CI=true): a skipped test fails"


def _fail_if_skipped(report: pytest.TestReport | pytest.CollectReport) -> None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix("Skipped: ")
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, which counts as a failure: {reason}"


def pytest_configure(config: pytest.Config) -> None:
    if require_all():
        for name in REQUIREMENT_ENVS:
            os.environ.setdefault(name, "1")
        if not config.pluginmanager.has_plugin("neuguong-skip-is-failure"):
            config.pluginmanager.register(SkipIsFailure(), "neuguong-skip-is-failure")


@pytest.fixture(scope="session")
def fixture_course_dir() -> Path:
    return FIXTURES / "course"


@pytest.fixture(scope="session")
def course(fixture_course_dir: Path) -> Course:
    return load_course(fixture_course_dir)


@pytest.fixture
def course_copy(tmp_path: Path, fixture_course_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture course under ``tmp_path/course``, with the working folder at
    ``tmp_path`` so problems are reported as ``course/...:line``."""
    target = tmp_path / "course"
    shutil.copytree(fixture_course_dir, target)
    monkeypatch.chdir(tmp_path)
    return target


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture_course_dir: Path) -> Path:
    """Pages built on the fixture course with a records store in ``tmp_path`` (no learner in
    the URL); returns the data folder."""
    monkeypatch.setenv("NEUGUONG_DATA", str(tmp_path))
    monkeypatch.delenv("NEUGUONG_DB_URL", raising=False)
    monkeypatch.setenv("NEUGUONG_CONTENT", str(fixture_course_dir))
    monkeypatch.delenv("QUERY_STRING", raising=False)
    return tmp_path
