"""The package's shape: no import circles, modules of a readable size (issue 14).

The import graph is built from the source with ``ast``, so an import hidden inside a
function counts as much as one at the top. Imports under ``if TYPE_CHECKING:`` do not
count (they never run), and neither do a package ``__init__``'s re-exports: an import
of a name from a package is followed to the submodule that defines it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "smmkit"
MAX_LINES = 600
# Data tables, not logic: generated Unicode/emoji tables.
DATA_TABLES = {"smmkit/text/_data.py"}


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            ):
                for child in node.body:
                    skipped.update(id(n) for n in ast.walk(child))
    return skipped


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def import_graph() -> dict[str, set[str]]:
    """Module -> the smmkit modules it imports (lazy imports included)."""
    modules = _modules()
    trees = {
        name: ast.parse(path.read_text(encoding="utf-8")) for name, (path, _) in modules.items()
    }
    # Where a package's re-exported names really live.
    reexports: dict[str, dict[str, str]] = {}
    for name, (_, is_package) in modules.items():
        if not is_package:
            continue
        table: dict[str, str] = {}
        for node in trees[name].body:
            if isinstance(node, ast.ImportFrom):
                source = _absolute(name, True, node)
                for alias in node.names:
                    dotted = f"{source}.{alias.name}"
                    table[alias.asname or alias.name] = dotted if dotted in modules else source
        reexports[name] = table

    def defining(module: str, name: str) -> str:
        for _ in range(10):
            target = reexports.get(module, {}).get(name)
            if target is None or target == module:
                break
            module = target
        return module

    graph: dict[str, set[str]] = {}
    for name, (_, is_package) in modules.items():
        if is_package:
            graph[name] = set()  # re-exports do not count
            continue
        skipped = _type_checking_nodes(trees[name])
        edges: set[str] = set()
        for found in ast.walk(trees[name]):
            if id(found) in skipped:
                continue
            if isinstance(found, ast.Import):
                edges.update(a.name for a in found.names if a.name.startswith("smmkit"))
            elif isinstance(found, ast.ImportFrom):
                source = _absolute(name, is_package, found)
                if not source.startswith("smmkit"):
                    continue
                for alias in found.names:
                    dotted = f"{source}.{alias.name}"
                    edges.add(dotted if dotted in modules else defining(source, alias.name))
        graph[name] = {e for e in edges if e in modules and e != name and not modules[e][1]}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_circle() -> None:
    assert cycles(import_graph()) == []


def test_the_checker_finds_a_lazy_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_follows_lazy_imports_and_reexports() -> None:
    graph = import_graph()
    # publish.py imports the drivers for real now; Publisher sits above them.
    assert "smmkit.platforms._client" in graph["smmkit.platforms.publish"]
    # an import from a package is followed to the defining module, not the package
    assert all(not target.endswith(".platforms") for target in graph["smmkit.cli._commands"])


@pytest.mark.parametrize(
    "path",
    sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(SRC).as_posix() not in DATA_TABLES),
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_no_module_is_over_600_lines(path: Path) -> None:
    relative = path.relative_to(SRC).as_posix()
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{relative} has {lines} lines; split it along its seams"
