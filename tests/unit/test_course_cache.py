"""The parsed course is reused across processes (each Voilà page is a new kernel)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from widgets.content import course as course_module
from widgets.content.cache import cache_file, read_cached
from widgets.content.model import as_dict


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEUGUONG_CACHE", str(folder))
    course_module._load_cached.cache_clear()
    return folder


def test_second_load_reads_the_pickle_instead_of_parsing(
    cache: Path, course_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = course_module.load_course(course_copy)
    course_module._load_cached.cache_clear()  # as in a new kernel
    monkeypatch.setattr(course_module, "_parse_course", lambda *a: pytest.fail("parsed again"))
    again = course_module.load_course(course_copy)
    assert as_dict(again) == as_dict(first)


def test_changed_content_is_parsed_again(cache: Path, course_copy: Path) -> None:
    course_module.load_course(course_copy)
    module = course_copy / "modules" / "tong-quan.md"
    module.write_text(
        module.read_text(encoding="utf-8").replace("Tổng quan", "Tổng quan 2"), encoding="utf-8"
    )
    course_module._load_cached.cache_clear()
    assert course_module.load_course(course_copy).module("tong-quan").title == "Tổng quan 2"


def test_corrupt_cache_falls_back_to_parsing(cache: Path, course_copy: Path) -> None:
    root = course_copy.resolve()
    fingerprint = course_module._fingerprint(root)
    path = cache_file(root, fingerprint)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    assert read_cached(root, fingerprint) is None
    assert course_module.load_course(course_copy).module("tong-quan").title == "Tổng quan"
    assert isinstance(pickle.loads(path.read_bytes()).title, str)


def test_a_pickle_from_a_model_without_the_new_fields_is_not_read(
    cache: Path, course_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 added fields (question level, interpretive, interpretation boxes, units, the
    final's pool): the cache key holds every model field, so an older pickle is another file."""
    from widgets.content import cache as cache_module

    shape = dict(cache_module.model_shape())
    assert {"level", "interpretive", "partial_credit", "decision_set"} <= set(shape["Question"])
    assert {"partial_credit", "scenarios", "min_application", "pool"} <= set(shape["QuizPolicy"])
    assert "parts" in shape["LessonSection"] and "short" in shape["Clause"] and "Unit" in shape
    root = course_copy.resolve()
    fingerprint = course_module._fingerprint(root)
    now = cache_file(root, fingerprint)
    older = {**shape, "Question": tuple(f for f in shape["Question"] if f != "level")}
    monkeypatch.setattr(cache_module, "model_shape", lambda: tuple(sorted(older.items())))
    assert cache_file(root, fingerprint) != now


def test_a_pickle_made_by_other_parsing_code_is_not_read(
    cache: Path, course_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same model fields, different code building the course (issue 18 renamed the final's
    decision items): the parsing code's digest is in the key."""
    from widgets.content import cache as cache_module

    root = course_copy.resolve()
    fingerprint = course_module._fingerprint(root)
    now = cache_file(root, fingerprint)
    monkeypatch.setattr(cache_module, "parser_digest", lambda: "other-code")
    assert cache_file(root, fingerprint) != now
