"""Compiled templates are kept on disk for the next kernel; a cache that cannot be used never
costs the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from widgets.render import fragments


@pytest.fixture
def fresh_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A new Jinja environment per use, caching under ``tmp_path``."""
    monkeypatch.setenv("NEUGUONG_CACHE", str(tmp_path / "cache"))
    fragments.environment.cache_clear()
    yield tmp_path / "cache"
    fragments.environment.cache_clear()


def test_a_new_process_reuses_the_compiled_template(fresh_environment: Path) -> None:
    first = fragments.render("heading", text="Người đứng đầu")
    cached = sorted((fresh_environment / "templates").glob("*.cache"))
    assert cached, "nothing written to the template cache"
    stamps = [path.stat().st_mtime_ns for path in cached]

    fragments.environment.cache_clear()  # what a new kernel sees
    assert fragments.render("heading", text="Người đứng đầu") == first
    assert [path.stat().st_mtime_ns for path in cached] == stamps  # read, not rewritten


def test_an_unusable_cache_folder_still_renders(fresh_environment: Path) -> None:
    fresh_environment.parent.mkdir(parents=True, exist_ok=True)
    fresh_environment.write_text("a file where the folder should be", encoding="utf-8")

    html = fragments.render("heading", text="<b>Cán bộ</b>")

    assert "&lt;b&gt;Cán bộ&lt;/b&gt;" in html


def test_a_cache_that_cannot_be_written_still_renders(
    fresh_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2.bccache

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only cache")

    monkeypatch.setattr(jinja2.bccache.tempfile, "NamedTemporaryFile", refuse)

    assert "Công chức" in fragments.render("heading", text="Công chức")
    assert not list((fresh_environment / "templates").glob("*.cache"))
