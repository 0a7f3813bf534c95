"""Loading and checking content: every problem raised at once, ``neuguong check`` without a
traceback, node images read. Each kind of mistake's exact ``file:line: message`` is a fixture
file in ``tests/fixtures/invalid/`` (``test_invalid_fixtures.py``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from widgets.content.course import check_course, load_course
from widgets.content.problems import ContentError

MODULE = "modules/tong-quan.md"


def edit(root: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in a file; return the 1-based line where ``new`` starts."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1 if new else 0


def problems(root: Path) -> list[str]:
    return [str(problem) for problem in check_course(root)]


def test_load_course_raises_with_every_problem(course_copy: Path) -> None:
    edit(course_copy, MODULE, "cites: doc\n\nAi ban hành", "cites: nope\n\nAi ban hành")
    with pytest.raises(ContentError) as caught:
        load_course(course_copy)
    assert "mã điều khoản không có trong Công văn: 'nope'" in str(caught.value)


def test_check_command_prints_problems_without_traceback(course_copy: Path) -> None:
    edit(course_copy, MODULE, "cites: doc\n\nAi ban hành", "cites: doc.9\n\nAi ban hành")
    done = subprocess.run(
        [sys.executable, "-m", "widgets", "check", str(course_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "mã điều khoản không có trong Công văn: 'doc.9'" in done.stdout


def test_check_command_passes_valid_content(fixture_course_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "widgets", "check", str(fixture_course_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "")


# ---- Scenario node images (an image too large for a fixture file) ------------------------------


FIXTURE_IMAGE = Path(__file__).parents[1] / "fixtures" / "images" / "scenario-node.png"
NODE_TRUA = ":::: node trua\ncites: officials.1\n"


def with_image(root: Path, fields: str, *, copy_image: bool = True) -> int:
    """Give node 'trua' ``fields`` (image lines); return the line of its first field."""
    if copy_image:
        (root / "modules" / "anh").mkdir()
        shutil.copy(FIXTURE_IMAGE, root / "modules" / "anh" / "trua.png")
    return edit(root, MODULE, NODE_TRUA, NODE_TRUA + fields) + 2


def test_scenario_node_image_with_alt_text_is_read(course_copy: Path) -> None:
    with_image(course_copy, "image: anh/trua.png\nimage-alt: Hai người trong phòng ăn trưa\n")
    assert problems(course_copy) == []
    node = load_course(course_copy).module("tong-quan").scenarios[0].node("trua")
    assert Path(node.image or "") == (course_copy / "modules" / "anh" / "trua.png").resolve()
    assert node.image_alt == "Hai người trong phòng ăn trưa"
    assert node.text == "Đồng nghiệp rủ uống bia lúc nghỉ trưa."  # the fields are not text


def test_scenario_node_image_too_large(course_copy: Path) -> None:
    line = with_image(course_copy, "image: anh/trua.png\nimage-alt: Ảnh\n")
    (course_copy / "modules" / "anh" / "trua.png").write_bytes(b"\x89PNG" + bytes(600 * 1024))
    assert problems(course_copy) == [f"course/{MODULE}:{line}: ảnh 'anh/trua.png' nặng 600 KB, tối đa 512 KB"]
