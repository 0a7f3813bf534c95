"""The shape of ``widgets/`` holds (issue 19): no import circle, no upward import.

Read from the source by :mod:`benchmarks.structure` (``ast``, nothing imported): imports inside
functions and under ``TYPE_CHECKING`` count too. The layers, lowest first, are its ``LAYERS``
(the "Architecture" table of ``CONTRIBUTING.md``): a module imports its own layer and lower ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import structure


@pytest.fixture(scope="module")
def figures() -> dict[str, object]:
    return structure.measure()


def test_no_import_circle_between_modules(figures: dict[str, object]) -> None:
    through = figures["circle_imports"]
    assert isinstance(through, list)
    assert figures["module_circles"] == [], "\n".join(through)


def test_no_import_circle_between_packages(figures: dict[str, object]) -> None:
    assert figures["package_circles"] == []


def test_no_upward_import(figures: dict[str, object]) -> None:
    upward = figures["upward_imports"]
    assert isinstance(upward, list)
    assert [f"{u['from']}:{u['line']} → {u['to']} [{u['kind']}; {u['layers']}]" for u in upward] == []


def test_every_module_has_a_layer() -> None:
    """A new package or top-level module is placed in ``LAYERS``, not left to the lowest layer."""
    unplaced = [
        name for name in structure.modules() if name != "widgets" and structure.package_of(name) == "widgets"
    ]
    assert unplaced == [], "add them to LAYERS in benchmarks/structure.py"


# The analysis itself sees what it must refuse: a small package written for the test.


def _package(root: Path, files: dict[str, str]) -> dict[str, Path]:
    known: dict[str, Path] = {}
    for name, text in files.items():
        path = root.joinpath(*name.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        known[name] = path
    return known


def test_a_circle_through_a_function_or_type_checking_import_is_found(tmp_path: Path) -> None:
    known = _package(
        tmp_path,
        {
            "widgets.records.a": "from widgets.records import b\n",
            "widgets.records.b": "def later():\n    from widgets.records.c import x\n",
            "widgets.records.c": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from widgets.records.a import y\n"
            ),
        },
    )
    edges = structure.imports(known)
    assert {(e.source, e.target, e.kind) for e in edges} == {
        ("widgets.records.a", "widgets.records.b", "module"),
        ("widgets.records.b", "widgets.records.c", "function"),
        ("widgets.records.c", "widgets.records.a", "type-checking"),
    }
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
    assert structure.circles(graph) == [["widgets.records.a", "widgets.records.b", "widgets.records.c"]]


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    known = _package(
        tmp_path,
        {
            "widgets.reports.guide": "def html():\n    from widgets.views.fragments import render\n",
            "widgets.views.fragments": "from widgets.reports import guide\n",
        },
    )
    edges = structure.imports(known)
    upward = [e for e in edges if structure.layer_of(e.target) > structure.layer_of(e.source)]
    assert [(e.source, e.target, e.kind) for e in upward] == [
        ("widgets.reports.guide", "widgets.views.fragments", "function")
    ]
    assert structure.layer_of("widgets.views.trainer.room") > structure.layer_of("widgets.views.home")
    assert structure.layer_of("widgets.resources") == structure.layer_of("widgets.content.course")
