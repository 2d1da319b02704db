"""The shape of the package: no import cycle, and the core keeps the user interface out.

Every import is read from the source with ``ast``: at module level, inside functions, and under
``TYPE_CHECKING``, since each is a dependency a reader follows. ``from a.b import c`` is an
edge to the module ``a.b.c`` when there is one, else to ``a.b``; importing a submodule is not
counted as an edge to its parent packages' ``__init__``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "astreinte_cli"
# The user interface: the command line (and `python -m astreinte_cli`, which runs it), and
# the terminal views. Everything else is the core.
UI = ("astreinte_cli.cli", "astreinte_cli.__main__", "astreinte_cli.render")
UI_LIBRARIES = {"typer", "click", "rich"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str) -> Iterator[str]:
    """Every name ``name``'s module imports, absolute: modules of the package as edges (see the
    docstring), other libraries by their full dotted name."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield full if full in MODULES else base


def graph() -> dict[str, set[str]]:
    return {name: {m for m in imported(name) if m in MODULES} for name in MODULES}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module that imports
    itself (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges[node]:
                    found.append(sorted(component))
    return found


def cycle_path(component: list[str], edges: dict[str, set[str]]) -> str:
    """One cycle through the component's first module, as ``a → b → a``."""
    members = set(component)
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(edges[node] & members):
            if child == start:
                return " → ".join([*paths[node], start])
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    raise AssertionError(component)


def test_the_graph_sees_every_kind_of_import() -> None:
    """The reader finds imports at module level, in functions and under TYPE_CHECKING, and
    maps them to modules (else the tests below could pass by seeing nothing)."""
    edges = graph()
    assert "astreinte_cli.cli.toolkit" in edges["astreinte_cli.cli.commands.check"]  # top
    assert "astreinte_cli.revisions" in edges["astreinte_cli.cli.commands.check"]  # function
    assert "astreinte_cli.check" in edges["astreinte_cli.export.documents"]  # TYPE_CHECKING
    assert "astreinte_cli.cli.commands.show" in edges["astreinte_cli.cli.app"]  # from pkg import
    assert "astreinte_cli.cli" not in edges["astreinte_cli.cli.app"]  # no edge to __init__


def test_cycles_are_found_and_named() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}, "e": {"a"}}
    assert cycles(edges) == [["a", "b", "c"], ["d"]]
    assert cycle_path(["a", "b", "c"], edges) == "a → b → c → a"


def test_no_import_cycle() -> None:
    edges = graph()
    found = [cycle_path(component, edges) for component in cycles(edges)]
    assert not found, "import cycles:\n" + "\n".join(found)


def is_ui(name: str) -> bool:
    return any(name == ui or name.startswith(ui + ".") for ui in UI)


@pytest.mark.parametrize("name", [name for name in MODULES if not is_ui(name)])
def test_the_core_imports_no_user_interface(name: str) -> None:
    """Outside cli/ and render/, no module imports typer, click or rich, nor the command line
    or the terminal views."""
    libraries = {m for m in imported(name) if m.split(".")[0] in UI_LIBRARIES}
    views = {m for m in imported(name) if is_ui(m)}
    assert not libraries, f"{name} imports {sorted(libraries)}"
    assert not views, f"{name} imports {sorted(views)}"
