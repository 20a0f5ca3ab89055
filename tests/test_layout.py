"""The package's layout: stage packages in layers, modules importing each other one way only, none grown past
what a reader takes in, and the state file touched by one package.

Imports are read from the source with ast (module level, functions, TYPE_CHECKING), so a cycle or an upward
import that Python happens to tolerate still fails.

A package's own __init__ is left out of the graph: Python imports it before any of its modules anyway, so an
edge to it (`from importer import __version__`) says nothing about the order of the stages.
"""

from __future__ import annotations

import ast
import re
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


# The stages, lowest first: a package may import only the ones listed for it. Read top to bottom, this is the
# architecture (README, "Layout"). The sandbox is a model of Callbell, beside the stages: it borrows the
# account's records and the client's loopback check, nothing else.
ALLOWED: dict[str, set[str]] = {
    "i18n": set(),  # messages and the run's language: the bottom, so that any stage may say something
    "errors": set(),
    "progress": set(),
    "options": set(),  # the table of run options: names, defaults, choices, help (read by every stage)
    "callbell": {"errors"},  # the client imports nothing of the importer but its errors
    "sources": {
        "errors",
        "reading",
    },  # fetching the input (stdin, URL, fsspec, SQL) to a snapshot file that reading reads
    "reading": {"errors"},
    "phones": {"errors"},
    "account": {"errors", "callbell"},
    "state": {"errors"},
    "mapping": {"errors", "options", "account", "phones", "reading"},
    "validation": {"errors", "options", "account", "mapping", "phones", "reading"},
    "delivery": {"errors", "options", "progress", "callbell", "account", "state"},
    "results": {"errors", "reading", "mapping", "validation", "state"},
    "notify": {"errors"},  # webhook, ping, metrics file: told a run's outcome, they know nothing of its stages
    "pipeline": {"errors", "options", "progress", "callbell", "reading", "phones", "account", "state"}
    | {"sources", "mapping", "validation", "delivery", "results", "notify"},
    "sandbox": {"errors", "account", "callbell"},
    "__main__": {"commands"},
}
ALLOWED["commands"] = ALLOWED["pipeline"] | {"pipeline", "sandbox"}  # the top: everything but itself
for _package in set(ALLOWED) - {"i18n", "sandbox", "__main__"}:
    ALLOWED[_package].add("i18n")  # every stage builds its messages (importer.i18n.message)
# Only this package opens the state file or runs SQL; the sandbox's own database is the model's business, and
# the sources run the user's --query on the user's database (importer/sources/sql.py), never on the state file.
STATE_OWNER = "state"
OWN_DATABASES = {"sandbox", "sources"}


def package_of(module: str) -> str:
    """importer.delivery.send -> delivery; importer.errors -> errors; importer itself -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges = found.setdefault(package_of(module), set())
        edges.update(package_of(t) for t in targets if package_of(t) != package_of(module))
    return found


def layer_breaks(packages: dict[str, set[str]], allowed: dict[str, set[str]]) -> list[str]:
    breaks = []
    for package, targets in sorted(packages.items()):
        if package not in allowed:
            breaks.append(f"{package}: a package the layers do not list (add it to ALLOWED, in its place)")
            continue
        breaks += [f"{package} imports {target}" for target in sorted(targets - allowed[package])]
    return breaks


def test_the_folder_listing_is_the_stages() -> None:
    entries = {p.name for p in PACKAGE_DIR.iterdir() if p.name != "__pycache__"}
    packages = {p.name for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(ALLOWED) - {"errors", "progress", "options", "__main__"}, "every stage package has its layer"
    assert entries - packages == {"__init__.py", "__main__.py", "errors.py", "progress.py", "options.py", "data"}


def test_packages_import_only_the_layers_below_them() -> None:
    packages = package_graph(import_graph())
    breaks = layer_breaks(packages, ALLOWED)
    assert not breaks, "imports against the layers (tests/test_layout.py ALLOWED):\n" + "\n".join(breaks)


def test_no_import_cycle_among_the_packages() -> None:
    packages = package_graph(import_graph())
    assert len(packages) >= 12
    assert not cycles(packages), f"packages importing each other: {cycles(packages)}"


def test_the_layer_check_finds_an_upward_import() -> None:
    # A lower layer importing a higher one fails, and so does a package the table does not know.
    graph = {"importer.reading.files": {"importer.results.writer", "importer.errors"}, "importer.extra.x": set()}
    assert layer_breaks(package_graph(graph), ALLOWED) == [
        "extra: a package the layers do not list (add it to ALLOWED, in its place)",
        "reading imports results",
    ]
    assert layer_breaks(package_graph({"importer.callbell.client": {"importer.state.ledger"}}), ALLOWED) == [
        "callbell imports state"
    ]


def runs_sql(path: Path) -> list[str]:
    """Where a module imports sqlite3 or calls execute/executemany/executescript on anything."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import) and any(a.name == "sqlite3" for a in node.names):
            found.append(f"line {node.lineno}: import sqlite3")
        elif isinstance(node, ast.ImportFrom) and node.module == "sqlite3":
            found.append(f"line {node.lineno}: from sqlite3 import")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"execute", "executemany", "executescript"}
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}()")
    return found


def test_only_the_state_package_runs_sql_on_the_state_file() -> None:
    outside = {
        name: where
        for name, path in modules().items()
        if package_of(name) not in {STATE_OWNER, *OWN_DATABASES} and (where := runs_sql(path))
    }
    assert not outside, f"SQL outside importer/{STATE_OWNER}/ (give the state package a named method): {outside}"


def test_the_sql_check_sees_sql(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("import sqlite3\ndef f(ledger):\n    ledger.db.execute('SELECT 1')\n", encoding="utf-8")
    assert runs_sql(source) == ["line 1: import sqlite3", "line 3: .execute()"]


def test_a_private_module_is_imported_from_its_own_package_only() -> None:
    graph = import_graph()
    private = {name for name in graph if name.rpartition(".")[2].startswith("_")}
    assert private, "the stage packages mark their private modules with a leading underscore"
    strangers = {
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets & private
        if target.rpartition(".")[0] != module.rpartition(".")[0]
    }
    assert not strangers, f"private modules used from outside their package: {sorted(strangers)}"


def public_modules(package: str) -> set[str]:
    """The package's `__all__` (its modules other packages may import), read from its __init__ with ast."""
    tree = ast.parse((PACKAGE_DIR / package / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_each_stage_package_names_the_modules_others_may_import() -> None:
    # The sandbox is left out: its __all__ names what it serves, and only the commands start it.
    stages = {p.name for p in PACKAGE_DIR.iterdir() if (p / "__init__.py").exists()} - {"sandbox"}
    used_from_outside: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        for target in targets:
            parts = target.split(".")
            if len(parts) == 3 and parts[1] in stages and package_of(module) != parts[1]:
                used_from_outside.setdefault(parts[1], set()).add(parts[2])
    # importer/__init__.py loads the public API's names by module path, on first use.
    for package, name in re.findall(r'"importer\.(\w+)\.(\w+)"', (PACKAGE_DIR / "__init__.py").read_text()):
        used_from_outside.setdefault(package, set()).add(name)
    for package in sorted(stages):
        public = public_modules(package)
        modules_there = {p.stem for p in (PACKAGE_DIR / package).glob("*.py")} - {"__init__"}
        assert public <= modules_there, f"importer.{package}.__all__ names modules it does not have"
        assert not {m for m in public if m.startswith("_")}, f"importer.{package}.__all__ names a private module"
        hidden = used_from_outside.get(package, set()) - public
        assert not hidden, f"other packages import importer.{package}.{sorted(hidden)}, not in its __all__"
