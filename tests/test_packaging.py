"""The project's own promises: packaging agrees with itself, the core stays free of widgets."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ("content", "engine", "records", "reports", "interop", "certificates")
"""The pure core (content parsing, scoring, branching, records, reports): no widget in sight."""
PURE_MODULES = sorted(
    [
        "widgets." + ".".join(path.relative_to(REPO / "widgets").with_suffix("").parts)
        for package in PURE_PACKAGES
        for path in (REPO / "widgets" / package).rglob("*.py")
        if path.name != "__init__.py"
    ]
    + ["widgets.notebooks", "widgets.session", "widgets.knowledge"]
)


def _requirement(spec: str) -> tuple[str, str]:
    """``"psycopg[binary]>=3.1,<4"`` → ``("psycopg", ">=3.1,<4")``."""
    match = re.match(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$", spec)
    assert match, spec
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = dict(map(_requirement, project["dependencies"] + project["optional-dependencies"]["test"]))
    conda = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    listed = dict(
        _requirement(item)
        for item in conda
        if isinstance(item, str) and not item.startswith(("python", "pip"))
    )
    assert listed == wanted


def test_pure_core_never_imports_ipywidgets() -> None:
    core = {"widgets.engine.scoring", "widgets.content.questions", "widgets.reports.items"}
    assert core <= set(PURE_MODULES)
    code = (
        "import sys\n" + "".join(f"import {m}\n" for m in PURE_MODULES) + "print('ipywidgets' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make serve" in readme and "make test" in readme
    assert re.search(r"^make test$", ci, re.MULTILINE)
    assert "NEUGUONG_REQUIRE_BROWSER=1" in ci


def test_ui_catalogues_have_the_same_keys() -> None:
    folder = REPO / "widgets" / "i18n"
    vi = yaml.safe_load((folder / "vi.yml").read_text(encoding="utf-8"))
    en = yaml.safe_load((folder / "en.yml").read_text(encoding="utf-8"))
    assert set(vi) == set(en)


def test_learner_notebooks_are_one_display_call() -> None:
    import nbformat

    for path in sorted((REPO / "notebooks").rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        assert len(code) == 1, path
        lines = [line for line in code[0].splitlines() if line.strip()]
        # trainer notebooks import their page from widgets.views.trainer (not a lazy name of widgets)
        trainer = path.parent.name == "trainer"
        prefix = "from widgets.views.trainer import " if trainer else "from widgets import "
        assert lines[0].startswith(prefix) and len(lines) == 2, path
