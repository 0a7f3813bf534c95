"""The project's own promises: packaging agrees with itself, the core stays free of widgets."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ("content", "engine", "records", "reports", "render", "interop", "certificates")
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


CONDA_NAMES = {"matplotlib-base": "matplotlib", "playwright-python": "playwright"}
"""conda-forge names that differ from the PyPI ones (matplotlib-base is matplotlib without Qt)."""


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _declared() -> dict[str, str]:
    """Every requirement of pyproject.toml, runtime and extras, by normalised name."""
    project = _pyproject()["project"]
    specs = project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    declared: dict[str, str] = {}
    for name, spec in map(_requirement, specs):
        assert declared.setdefault(name, spec) == spec, f"{name} is pinned differently in two places"
    return declared


def test_environment_yml_lists_the_same_dependencies_as_pyproject() -> None:
    conda = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    listed = dict(
        _requirement(item)
        for item in conda
        if isinstance(item, str) and not re.match(r"^(python|pip)\b", item)
    )
    listed = {CONDA_NAMES.get(name, name): spec for name, spec in listed.items()}
    assert "matplotlib-base" in str(conda) and "playwright-python" in str(conda)
    assert listed == _declared()


def test_environment_yml_pip_section_is_a_valid_requirements_file(tmp_path: Path) -> None:
    """conda hands the pip section to ``pip install -r`` from the file's folder: pip's own parser
    must accept it, and it must install this checkout (with extras pyproject defines)."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    conda = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    sections = [item["pip"] for item in conda if isinstance(item, dict) and "pip" in item]
    assert len(sections) == 1 and sections[0]
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("\n".join(sections[0]) + "\n", encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(REPO)  # conda runs pip beside environment.yml
    try:
        parsed = [
            install_req_from_parsed_requirement(r)
            for r in parse_requirements(str(requirements), session=PipSession())
        ]
    finally:
        os.chdir(cwd)
    assert [req.link.file_path for req in parsed if req.link] == [str(REPO)], "pip installs this checkout"
    extras = set(_pyproject()["project"]["optional-dependencies"])
    for req in parsed:
        assert set(req.extras) <= extras


def test_every_imported_package_is_declared() -> None:
    """Every third-party package imported anywhere in ``widgets`` (or by the Voilà configuration
    files) is a dependency or in an extra; the kit's own runtime imports are runtime dependencies."""
    import ast
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    runtime = {_requirement(spec)[0] for spec in _pyproject()["project"]["dependencies"]}
    declared = set(_declared())
    optional = {"psycopg"}  # imported only when a PostgreSQL URL is configured (postgres extra)
    stdlib = set(sys.stdlib_module_names) | {"widgets", "__future__"}
    found: dict[str, set[str]] = {}
    files = [
        *(REPO / "widgets").rglob("*.py"),
        *(REPO / "deploy" / "voila").rglob("*.py"),
        REPO / "hatch_build.py",
    ]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in stdlib:
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    for module, where in sorted(found.items()):
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [])}
        assert dists, f"{module} (imported by {sorted(where)}) is not installed"
        assert dists & declared, f"{module} ({dists}, imported by {sorted(where)}) is not in pyproject.toml"
        if module not in optional and module != "hatchling":
            assert dists & runtime, (
                f"{module} ({dists}, imported by {sorted(where)}) is not a runtime dependency"
            )


def test_jupyter_packages_whose_internals_the_kit_touches_are_capped() -> None:
    pins = dict(map(_requirement, _pyproject()["project"]["dependencies"]))
    for name in ("voila", "ipykernel", "ipywidgets", "jupyter-client", "jupyter-server"):
        assert "<" in pins[name], f"{name} has no upper bound"


def test_license_version_and_changelog() -> None:
    project = _pyproject()["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    from widgets import __version__

    assert "version" in project["dynamic"]
    assert f"## [{__version__}]" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "widgets", "--version"], capture_output=True, text=True)
    assert done.stdout.strip() == f"neuguong {__version__}"
    assert "lab" in project["optional-dependencies"]
    assert not any(r.startswith("jupyterlab") for r in project["dependencies"]), "jupyterlab is the lab extra"


def test_pure_core_never_imports_ipywidgets() -> None:
    core = {"widgets.engine.scoring", "widgets.content.questions", "widgets.records.statistics.items"}
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
        # trainer notebooks import their page from widgets.views.trainer, the live room's from
        # widgets.views.rooms (not a lazy name of widgets)
        trainer = path.parent.name == "trainer"
        package = "rooms" if path.stem == "room" else "trainer"
        prefix = f"from widgets.views.{package} import " if trainer else "from widgets import "
        assert lines[0].startswith(prefix) and len(lines) == 2, path


SKIPPING_TESTS = """
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip("no frobnicator here")

@pytest.mark.skipif(True, reason="never on this platform")
def test_skipif():
    pass

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False
"""


KIT_CONFTEST = REPO / "tests" / "conftest.py"


def _run_pytest(folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """pytest in ``folder``, with a conftest that takes its hooks from ``tests/conftest.py``."""
    (folder / "conftest.py").write_text(
        "import importlib.util\n"
        f"spec = importlib.util.spec_from_file_location('kit_conftest', {str(KIT_CONFTEST)!r})\n"
        "kit = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(kit)\n"
        "pytest_configure = kit.pytest_configure\n",
        encoding="utf-8",
    )
    clean = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("NEUGUONG_REQUIRE")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", str(folder)],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**clean, **env},
        timeout=300,
    )


@pytest.mark.parametrize("env", [{"CI": "true"}, {"NEUGUONG_REQUIRE_ALL": "1"}])
def test_in_ci_every_skip_is_a_failure(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "test_some.py").write_text(SKIPPING_TESTS, encoding="utf-8")
    done = _run_pytest(tmp_path, env)
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout
    assert "skipped in CI, which counts as a failure: no frobnicator here" in done.stdout
    assert "never on this platform" in done.stdout
    assert re.search(r"\b1 passed\b", done.stdout) and re.search(r"\b1 xfailed\b", done.stdout)
    assert " skipped" not in done.stdout.splitlines()[-1], done.stdout


def test_in_ci_a_skipped_module_is_a_collection_error(tmp_path: Path) -> None:
    (tmp_path / "test_module_skip.py").write_text(
        "import pytest\npytest.importorskip('no_such_module_for_neuguong')\n", encoding="utf-8"
    )
    assert _run_pytest(tmp_path, {}).returncode == pytest.ExitCode.NO_TESTS_COLLECTED
    done = _run_pytest(tmp_path, {"CI": "true"})
    assert done.returncode == pytest.ExitCode.INTERRUPTED, done.stdout
    assert "skipped in CI, which counts as a failure: could not import" in done.stdout


def test_outside_ci_a_skip_is_a_skip(tmp_path: Path) -> None:
    (tmp_path / "test_some.py").write_text(SKIPPING_TESTS, encoding="utf-8")
    done = _run_pytest(tmp_path, {})
    assert done.returncode == 0, done.stdout
    assert re.search(r"1 passed, 2 skipped, 1 xfailed", done.stdout), done.stdout


def test_in_ci_a_run_that_collects_nothing_fails(tmp_path: Path) -> None:
    (tmp_path / "test_empty.py").write_text("# no test here\n", encoding="utf-8")
    assert _run_pytest(tmp_path, {}).returncode == pytest.ExitCode.NO_TESTS_COLLECTED
    assert _run_pytest(tmp_path, {"NEUGUONG_REQUIRE_ALL": "1"}).returncode == pytest.ExitCode.TESTS_FAILED


def test_ci_installs_every_tool_the_suite_needs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    packages = re.search(r"APT_PACKAGES=\((.*?)\n\)", ci, re.DOTALL)
    assert packages, "the apt packages are listed in one APT_PACKAGES=( ... ) array"
    names = {line.split("#")[0].strip() for line in packages.group(1).splitlines()} - {""}
    assert {"nginx", "chromium", "postgresql", "python3-venv", "make", "openssl", "nodejs"} <= names
    assert "NEUGUONG_REQUIRE_ALL=1" in ci and "NEUGUONG_REQUIRE_NGINX=1" in ci
    # tools in environments of their own, which tests find through an environment variable
    assert re.search(r"^export NEUGUONG_STANDALONE_PROXY=", ci, re.MULTILINE)
