"""``neuguong new module`` end to end in a copy of content/ + notebooks/: the new module checks,
its notebook passes nbval, ``course.yml`` keeps its comments."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from widgets.cli import main
from widgets.content.course import check_course, load_course
from widgets.notebooks import site_notebooks, stale_notebooks
from widgets.scaffold import ScaffoldError, add_module_entry

from .conftest import REPO


@pytest.fixture
def kit(tmp_path: Path, course_dir: Path) -> Path:
    """A copy of ``content/`` (or the fixture course) and ``notebooks/``."""
    shutil.copytree(course_dir, tmp_path / "content")
    shutil.copytree(REPO / "notebooks", tmp_path / "notebooks")
    return tmp_path


def test_new_module_checks_and_its_notebook_passes_nbval(
    kit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, notebooks = kit / "content", kit / "notebooks" / "learner"
    clauses = load_course(content).directive.clause_ids[-2:]
    course_yml = (content / "course.yml").read_text(encoding="utf-8")

    code = main(
        [
            *("new", "module", "Người đứng đầu nêu gương", "--clauses", ",".join(clauses)),
            *("--content", str(content), "--notebooks", str(notebooks)),
        ]
    )
    assert code == 0, capsys.readouterr()
    assert check_course(content) == []

    course = load_course(content)
    module = course.modules[-1]
    assert (module.id, module.title, module.clauses) == (
        "nguoi-dung-dau-neu-guong",
        "Người đứng đầu nêu gương",
        clauses,
    )
    assert [section.cites for section in module.sections] == [(c,) for c in clauses]
    for section, clause_id in zip(module.sections, clauses, strict=True):
        assert course.directive.clause(clause_id).text in section.body
    assert all(clause_id in module.instructor[0].body for clause_id in clauses)

    new_yml = (content / "course.yml").read_text(encoding="utf-8")
    added = [line for line in new_yml.splitlines() if line not in course_yml.splitlines()]
    assert added == [f"  - file: modules/{Path(module.source.path).name}"]
    assert new_yml.startswith(course_yml.rstrip("\n"))  # comments and layout untouched
    assert stale_notebooks(course, notebooks) == []
    assert set(site_notebooks(course)) <= {p.name for p in notebooks.iterdir()}

    env = {**os.environ, "NEUGUONG_CONTENT": str(content), "NEUGUONG_DATA": str(kit / "data")}
    env.pop("PYTEST_ADDOPTS", None)
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider"),
            *("-q", str(notebooks / module.notebook)),
        ],
        cwd=kit,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


def test_unknown_clauses_and_existing_ids_are_refused(kit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = kit / "content"
    before = {p: p.read_text(encoding="utf-8") for p in content.rglob("*") if p.is_file()}
    no_notebooks = ["--notebooks", str(kit / "nb")]
    assert (
        main(["new", "module", "Tên", "--clauses", "khong.co", "--content", str(content), *no_notebooks]) == 2
    )
    assert "khong.co" in capsys.readouterr().err
    existing = load_course(content).modules[0]
    clause = load_course(content).directive.clause_ids[0]
    args = [
        "new",
        "module",
        existing.title,
        "--id",
        existing.id,
        "--clauses",
        clause,
        "--content",
        str(content),
    ]
    assert main([*args, *no_notebooks]) == 2
    assert f"đã có học phần mã '{existing.id}'" in capsys.readouterr().err
    assert {p: p.read_text(encoding="utf-8") for p in content.rglob("*") if p.is_file()} == before
    assert not (kit / "nb").exists()


def test_entry_goes_to_the_end_of_modules_even_when_another_key_follows() -> None:
    text = (
        "# Khóa học\nid: x\nmodules:\n    - file: modules/01-a.md   # đầu\n"
        "    - file: modules/02-b.md\n      quiz: {draw: 2}\n\n# phần sau\nunits: units.yml\n"
    )
    assert add_module_entry(text, "modules/03-c.md") == (
        "# Khóa học\nid: x\nmodules:\n    - file: modules/01-a.md   # đầu\n"
        "    - file: modules/02-b.md\n      quiz: {draw: 2}\n    - file: modules/03-c.md\n\n"
        "# phần sau\nunits: units.yml\n"
    )


def test_flow_style_module_lists_are_left_to_the_author() -> None:
    with pytest.raises(ScaffoldError):
        add_module_entry("id: x\nmodules: [modules/01-a.md]\n", "modules/02-b.md")


PURE = (
    "widgets.content",
    "widgets.i18n",
    "widgets.interop",
    "widgets.jsonvalue",
    "widgets.notebooks",
    "widgets.scaffold",
    "widgets.commands.notebooks",
)


def test_interop_and_scaffold_modules_import_only_the_pure_core() -> None:
    """No ipywidgets and no view module, directly or through the kit's own imports."""
    files = [*(REPO / "widgets" / "interop").glob("*.py"), REPO / "widgets" / "scaffold.py"]
    files.append(REPO / "widgets" / "commands" / "interop.py")
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("ipywidgets"), (path.name, name)
                if name.startswith("widgets."):
                    assert name.startswith(PURE), (path.name, name)
