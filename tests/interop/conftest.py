"""The interop fixtures from other projects, vendored in ``tests/fixtures/interop`` (licences there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from widgets.content.course import check_course
from widgets.content.model import Question

REPO = Path(__file__).resolve().parents[2]
INTEROP = REPO / "tests" / "fixtures" / "interop"
CONTENT = REPO / "content"
FIXTURE_COURSE = REPO / "tests" / "fixtures" / "course"


def _reference(name: str) -> Path:
    path = INTEROP / name
    assert path.is_file(), f"{path} is missing: it is part of the repository"
    return path


@pytest.fixture(scope="session")
def moodle_examples() -> Path:
    """Moodle's own ``question/format/gift/examples.txt``, used as it is."""
    return _reference("moodle-gift-examples.txt")


@pytest.fixture(scope="session")
def jupyterquiz_examples() -> Path:
    """jupyterquiz's own ``examples/questions.json``, used as it is."""
    return _reference("jupyterquiz-examples-questions.json")


@pytest.fixture(scope="session")
def course_dir() -> Path:
    """The real course: the round trip and the imports are tested over the whole of it (content that
    does not validate fails these tests, as it fails ``test_content_is_valid``)."""
    problems = check_course(CONTENT)
    assert problems == [], "\n".join(map(str, problems))
    return CONTENT


@pytest.fixture
def content_copy(tmp_path: Path, course_dir: Path) -> Path:
    """A writable copy of the course used by the tests."""
    target = tmp_path / "content"
    shutil.copytree(course_dir, target)
    return target


def same(question: Question) -> dict[str, object]:
    """What must survive a round trip: everything but where it was read from and its citations."""
    return {
        "type": question.type,
        "stem": question.stem,
        "choices": [(c.text, c.correct, c.feedback) for c in question.choices],
        "pairs": [(p.item, p.category, p.feedback) for p in question.pairs],
        "order": [(c.text, c.feedback) for c in question.order],
        "explanation": question.explanation,
        "hint": question.hint,
        "partial": question.partial,
        "tone_insensitive": question.tone_insensitive,
        "points": question.points,
    }
