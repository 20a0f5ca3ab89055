"""The package's layout: modules import each other one way only, and none grows past what a reader takes in.

No cycle, even through a function-level import or one kept for type hints (read from the source with ast, so a
cycle Python happens to tolerate still fails).

A package's own __init__ is left out of the graph: Python imports it before any of its modules anyway, so an
edge to it (`from importer import __version__`) says nothing about the order of the stages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import importer

PACKAGE_DIR = Path(importer.__file__).resolve().parent
# The rule is "about 450 lines, then split it along its seams"; the test allows some slack so that a module
# near the line does not fail on one more function, and fails on one that has grown a second stage.
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py")) if "__pycache__" not in p.parts}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The importer modules `name` imports anywhere in its source (module level, functions, TYPE_CHECKING)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the module pkg.mod; `from mod import name` the module mod.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            # `import importer.a.b` runs importer.a.b (and its packages): keep the deepest known module.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    packages = {name for name, path in found.items() if path.name == "__init__.py"}
    known = set(found)
    return {name: imported(name, path, known) - packages for name, path in found.items() if name not in packages}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_the_modules() -> None:
    graph = import_graph()
    assert len(graph) > 30 and "importer.pipeline.run" in graph and "importer.sandbox.app" in graph
    found = cycles(graph)
    described = [
        " <-> ".join(c) + ": " + "; ".join(f"{m} imports {sorted(graph[m] & set(c))}" for m in c) for c in found
    ]
    assert not found, "modules importing each other (give the shared part its own module):\n" + "\n".join(described)


def test_the_cycle_finder_finds_cycles() -> None:
    # The check above can fail: a two-module and a three-module cycle are found, an acyclic graph passes.
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    # Relative, `from package import module`, dotted `import`, and imports inside functions all count.
    known = {"importer.a", "importer.b", "importer.sub", "importer.sub.c", "importer.d"}
    source = tmp_path / "x.py"
    source.write_text(
        "from . import a\nfrom importer.sub import c\nimport importer.d\ndef f():\n    from .b import thing\n",
        encoding="utf-8",
    )
    assert imported("importer.x", source, known) == {"importer.a", "importer.sub.c", "importer.d", "importer.b"}


def test_no_module_is_past_the_size_a_reader_takes_in() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert len(sizes) > 30
    too_big = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not too_big, f"split these along their seams (about 450 lines at most): {too_big}"
