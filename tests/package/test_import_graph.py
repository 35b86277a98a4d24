"""The import graph of obsgen, read from the source: no cycle, and the layers import downward only.

Every import counts, at module level and inside functions alike: a function-level import delays a
cycle to run time, it does not remove it. Lazy imports kept for start-up speed are fine when they
point downward, which is what these tests check.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "obsgen"

# (importer, imported): an obsgen module under the first package never imports one under the second.
FORBIDDEN = [
    ("obsgen.artifacts", "obsgen.build"),
    ("obsgen.artifacts", "obsgen.cli"),
    ("obsgen.spec", "obsgen.artifacts"),
    ("obsgen.spec", "obsgen.build"),
    ("obsgen.build", "obsgen.cli"),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The obsgen modules one module imports anywhere in its body; `from x import y` names the
    submodule x.y when there is one, else x."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return {_nearest_module(m, known) for m in found if m == "obsgen" or m.startswith("obsgen.")} - {name, None}


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _nearest_module(name: str, known: dict[str, Path]) -> str | None:
    """`import obsgen.x.y` may name an attribute of a module (rare): the longest module prefix."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component of more than one module (or a self-import)."""
    found = []
    for component in _components(graph):
        if len(component) > 1 or any(m in graph[m] for m in component):
            found.append(_cycle_in(component, graph))
    return found


def _components(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, iteratively (the graph is deep enough for recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return components


def _cycle_in(component: set[str], graph: dict[str, set[str]]) -> list[str]:
    """The shortest path from the component's first module back to itself (breadth first)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & component):
            if child == start:
                return paths[node] + [start]
            if child not in paths:
                paths[child] = paths[node] + [child]
                queue.append(child)
    return [start, start]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_layers_import_downward():
    wrong = [f"{importer} imports {target} ({upper} must not import {lower})"
             for importer, targets in sorted(import_graph().items()) for target in sorted(targets)
             for upper, lower in FORBIDDEN if _within(importer, upper) and _within(target, lower)]
    assert not wrong, "\n".join(wrong)


def test_the_graph_sees_function_level_relative_and_submodule_imports(tmp_path):
    """The reader itself: imports inside functions, `from package import submodule`, relative imports."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from obsgen import errors\n    import obsgen.paths\n"
                      "    from .model import Journey\n", encoding="utf-8")
    assert imported("obsgen.sample", sample, modules()) == {"obsgen.errors", "obsgen.paths", "obsgen.model"}


def test_a_cycle_is_found_and_reported():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
