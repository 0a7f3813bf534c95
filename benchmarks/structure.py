"""The shape of ``widgets/`` from its own imports (issue 19's before/after report):

    python -m benchmarks.structure            # the report, as text
    python -m benchmarks.structure --json     # the same figures as JSON

Module count and sizes, the largest files, import circles (between modules and between the
layers' packages; imports inside functions and under ``TYPE_CHECKING`` included, and marked) and
upward imports: a module importing a layer above its own in ``LAYERS``, the table of
``CONTRIBUTING.md`` ("Architecture"). Reads the source with ``ast``; imports nothing from widgets.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses as dc
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "widgets"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "foundation",
        (
            "widgets",
            "widgets.resources",
            "widgets.jsonvalue",
            "widgets.i18n",
            "widgets.collation",
            "widgets.content",
        ),
    ),
    ("pure core", ("widgets.engine", "widgets.knowledge", "widgets.certificates")),
    ("records", ("widgets.records",)),
    (
        "session, reports, rendering, interchange",
        ("widgets.session", "widgets.reports", "widgets.render", "widgets.interop"),
    ),
    ("notebook generation", ("widgets.notebooks", "widgets.scaffold")),
    ("kernel-side fence", ("widgets.runtime",)),
    ("learner views", ("widgets.views",)),
    ("trainer views", ("widgets.views.trainer",)),
    ("server side", ("widgets.site",)),
    ("commands", ("widgets.commands", "widgets.cli", "widgets.__main__", "widgets.testing")),
)
"""Lowest first: a module may import its own layer and those before it, never one after it."""


@dc.dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    kind: str
    """``module`` (at import time), ``function`` (inside a def) or ``type-checking``."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The widgets module ``name`` is (or is inside), if any."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _walk(node: ast.AST, kind: str) -> Iterator[tuple[ast.AST, str]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for inner in child.body:
                yield inner, "type-checking"
                yield from _walk(inner, "type-checking")
            for inner in child.orelse:
                yield inner, kind
                yield from _walk(inner, kind)
            continue
        inner_kind = (
            "function"
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and kind == "module"
            else kind
        )
        yield child, kind
        yield from _walk(child, inner_kind)


def imports(known: dict[str, Path]) -> list[Import]:
    found: list[Import] = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, kind in _walk(tree, "module"):
            targets: list[str] = []
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                resolved = _resolve(target, known)
                if resolved is not None and resolved != name:
                    found.append(Import(name, resolved, node.lineno, kind))
    return sorted(set(found), key=lambda edge: (edge.source, edge.line, edge.target))


def layer_of(module: str) -> int:
    best, rank = "", 0
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > len(best):
                best, rank = prefix, index
    return rank


def package_of(module: str) -> str:
    """The layer entry a module belongs to (``widgets.views.trainer``, ``widgets.records``…)."""
    best = ""
    for _, prefixes in LAYERS:
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best = prefix
    return best or module


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def measure() -> dict[str, object]:
    known = modules()
    lines = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in known.items()}
    found = imports(known)
    module_edges: dict[str, set[str]] = defaultdict(set)
    package_edges: dict[str, set[str]] = defaultdict(set)
    for edge in found:
        module_edges[edge.source].add(edge.target)
        if package_of(edge.source) != package_of(edge.target):
            package_edges[package_of(edge.source)].add(package_of(edge.target))
    by_package: dict[str, list[int]] = defaultdict(list)
    for name, count in lines.items():
        by_package[package_of(name)].append(count)
    upward = [edge for edge in found if layer_of(edge.target) > layer_of(edge.source)]
    largest = sorted(lines.items(), key=lambda item: -item[1])[:10]
    return {
        "modules": len(known),
        "lines": sum(lines.values()),
        "packages": {
            name: {"modules": len(counts), "lines": sum(counts)}
            for name, counts in sorted(by_package.items())
        },
        "largest": [{"module": name, "lines": count} for name, count in largest],
        "module_circles": circles(module_edges),
        "circle_imports": [
            f"{edge.source}:{edge.line} → {edge.target} [{edge.kind}]"
            for component in circles(module_edges)
            for edge in found
            if edge.source in component and edge.target in component
        ],
        "package_circles": circles(package_edges),
        "upward_imports": [
            {
                "from": edge.source,
                "line": edge.line,
                "to": edge.target,
                "kind": edge.kind,
                "layers": f"{LAYERS[layer_of(edge.source)][0]} → {LAYERS[layer_of(edge.target)][0]}",
            }
            for edge in sorted(upward, key=lambda e: (e.source, e.line))
        ],
        "import_kinds": {
            kind: sum(1 for edge in found if edge.kind == kind)
            for kind in ("module", "function", "type-checking")
        },
    }


def report(figures: dict[str, object]) -> str:
    out = [
        f"widgets/: {figures['modules']} modules, {figures['lines']} lines "
        f"(imports between them: {figures['import_kinds']})",
        "",
        "By package (modules, lines):",
    ]
    packages = figures["packages"]
    assert isinstance(packages, dict)
    out += [f"  {name:<24} {v['modules']:>3} {v['lines']:>6}" for name, v in packages.items()]
    out += ["", "Largest files (lines):"]
    largest = figures["largest"]
    assert isinstance(largest, list)
    out += [f"  {item['lines']:>5}  {item['module']}" for item in largest]
    for key, title in (
        ("module_circles", "Import circles between modules"),
        ("package_circles", "… between packages"),
    ):
        found = figures[key]
        assert isinstance(found, list)
        out += ["", f"{title}: {len(found)}"]
        out += [f"  {' ⇄ '.join(component)}" for component in found]
        if key == "module_circles" and found:
            through = figures["circle_imports"]
            assert isinstance(through, list)
            out += ["  through:", *(f"    {text}" for text in through)]
    upward = figures["upward_imports"]
    assert isinstance(upward, list)
    out += ["", f"Upward imports: {len(upward)}"]
    out += [f"  {u['from']}:{u['line']} → {u['to']}  [{u['kind']}; {u['layers']}]" for u in upward]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="figures as JSON")
    args = parser.parse_args()
    figures = measure()
    print(json.dumps(figures, ensure_ascii=False, indent=1) if args.json else report(figures), end="")


if __name__ == "__main__":
    main()
