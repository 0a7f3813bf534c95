"""Records are the only door to the tables (issue 19), checked from the source with ``ast``.

No module of ``widgets/`` outside ``widgets.records`` imports a database library (SQLAlchemy,
psycopg, sqlite3) -- at module level, inside a function or under ``TYPE_CHECKING`` -- or names
an ``Engine`` or an ``.engine`` attribute (``store.engine``): everything else goes through the
``Store`` and the small records APIs it hands out (``store.rooms``). ``widgets.engine`` (the pure
core) is a package, not a database engine, and is allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "widgets"
DOOR = "widgets.records"
DATABASE_LIBRARIES = frozenset({"sqlalchemy", "psycopg", "psycopg2", "psycopg_pool", "sqlite3"})
PENDING: dict[str, frozenset[str]] = {}
"""Known ways past the records, still to close (issue 19), with what each may still do; an entry
fails the test once its file no longer needs it, so the list only shrinks."""


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def widgets_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def behind_the_door(module: str) -> bool:
    return module == DOOR or module.startswith(f"{DOOR}.")


def _library(name: str | None) -> str | None:
    top = (name or "").partition(".")[0]
    return top if top in DATABASE_LIBRARIES else None


def _is_widgets_engine(node: ast.Attribute) -> bool:
    """``widgets.engine`` written as a dotted name (the pure core, not a database engine)."""
    return isinstance(node.value, ast.Name) and node.value.id == "widgets"


def breaches(source: str, filename: str = "<source>") -> list[str]:
    """``line: what`` for every way ``source`` reaches past the records: every node of the tree
    is visited, so imports inside functions and under ``TYPE_CHECKING`` count like the others."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [f"{line}: imports {a.name}" for a in node.names if _library(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and _library(node.module):
                found.append(f"{line}: imports from {node.module}")
            found += [f"{line}: imports Engine" for a in node.names if a.name == "Engine"]
        elif isinstance(node, ast.Call):
            # importlib.import_module("sqlalchemy") / __import__("sqlite3")
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0] if node.args and isinstance(node.args[0], ast.Constant) else None
            literal = first.value if first is not None and isinstance(first.value, str) else None
            if name in ("import_module", "__import__") and _library(literal):
                found.append(f"{line}: imports {literal} by name")
        elif isinstance(node, ast.Name) and node.id == "Engine":
            found.append(f"{line}: names Engine")
        elif isinstance(node, ast.Attribute):
            if node.attr == "Engine":
                found.append(f"{line}: names Engine")
            elif node.attr == "engine" and not _is_widgets_engine(node):
                found.append(f"{line}: reads .engine")
    return sorted(set(found), key=lambda text: (int(text.partition(":")[0]), text))


@pytest.mark.parametrize(
    "source",
    [
        "import sqlalchemy as sa",
        "import sqlalchemy.orm",
        "from sqlalchemy.engine import Connection",
        "import sqlite3",
        "import psycopg",
        "def check():\n    import sqlalchemy as sa\n    return sa",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlalchemy.engine import Row",
        "from widgets.records.db import Engine",
        "def run(engine: 'x', e: Engine) -> None: ...",
        "rows = distinct_values(store.engine)",
        "page.store.engine.dispose()",
        "import importlib\nimportlib.import_module('sqlalchemy.pool')",
        "__import__('sqlite3')",
    ],
)
def test_each_way_past_the_records_is_seen(source: str) -> None:
    assert breaches(source), source


@pytest.mark.parametrize(
    "source",
    [
        "from widgets.engine.quiz import QuizAttempt",
        "import widgets.engine.scoring\nwidgets.engine.scoring.score",
        "from widgets.records.store import Store\nstore.rooms.open_room('Lớp')",
        "from widgets import engine",
        "text = 'sqlalchemy and the engine are words here'",
        "from .sqlite3 import helper",
    ],
)
def test_what_is_not_a_way_past_the_records(source: str) -> None:
    assert breaches(source) == []


def test_the_check_sees_the_records_own_database_code() -> None:
    """The same check finds the records' SQL: the walk reads the real files."""
    modules = widgets_modules()
    assert {"widgets.records.store", "widgets.records.db", "widgets.records.rooms"} <= set(modules)
    assert any("imports sqlalchemy" in hit for hit in breaches(modules["widgets.records.db"].read_text()))
    assert breaches(modules["widgets.records.store"].read_text())


def test_no_module_outside_records_touches_the_database() -> None:
    outside = {name: path for name, path in widgets_modules().items() if not behind_the_door(name)}
    assert len(outside) > 50  # views, session, reports, site, commands…
    found: list[str] = []
    stale: list[str] = []
    for path in outside.values():
        relative = path.relative_to(REPO).as_posix()
        hits = breaches(path.read_text(encoding="utf-8"), str(path))
        allowed = PENDING.get(relative, frozenset())
        found += [f"{relative}:{hit}" for hit in hits if hit.partition(": ")[2] not in allowed]
        if allowed and not hits:
            stale.append(relative)
    assert found == [], "outside widgets/records/ (use Store methods instead):\n" + "\n".join(found)
    assert stale == [], f"no longer past the records: remove from PENDING {stale}"
    assert set(PENDING) <= {path.relative_to(REPO).as_posix() for path in outside.values()}
