"""Shared fixtures: the small fixture course and a writable copy of it."""

from __future__ import annotations

import shutil
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
