"""The package's layers: no module imports upward or sideways, and no import cycle.

Rooms (the folders of matrix/, and its top-level modules) by layer, lowest first:

    0  language, files, schemas
    1  engine, probe          (engine and probe never import each other)
    2  results
    3  runner, table          (runner and table never import each other)
    4  render
    5  commands, tools, pytest_plugin
    6  cli
    7  __main__

A module may import its own room or any lower layer: never a higher one, never
another room of its own layer. A command module imports no other command module
but commands.common and commands.exit_codes. The package itself (``import
matrix`` for its version) may be imported from anywhere.

Every import statement counts, also one inside a function or under
TYPE_CHECKING. The sources are read from the checkout with ast, not imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.paths import REPO

PACKAGE = REPO / "matrix"

LAYERS = {
    "language": 0,
    "files": 0,
    "schemas": 0,
    "engine": 1,
    "probe": 1,
    "results": 2,
    "runner": 3,
    "table": 3,
    "render": 4,
    "commands": 5,
    "tools": 5,
    "pytest_plugin": 5,
    "cli": 6,
    "__main__": 7,
}
SHARED_COMMAND_MODULES = {"matrix.commands.common", "matrix.commands.exit_codes"}

# Imports that break a rule today, each with the reason it is allowed to stay
# for now: {(module, imported module): reason}. Listed cases are xfail(strict),
# so one that is fixed must be taken off this list.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(
    module: str, source: str, is_package: bool, known: set[str] | dict[str, Path] = MODULES
) -> Iterator[str]:
    """Every matrix module ``module`` imports, anywhere in its source.

    ``from matrix.x import y`` counts as an import of matrix.x.y where that is a
    module, else of matrix.x; relative imports are resolved against ``module``.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            targets = [
                f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix
                for alias in node.names
            ]
        else:
            continue
        yield from (t for t in targets if t == "matrix" or t.startswith("matrix."))


def room(module: str) -> str:
    return module.split(".")[1]


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = set(imports_of(module, path.read_text(encoding="utf-8"), path.stem == "__init__"))
        # Importing matrix.a.b runs matrix.a's __init__ too.
        for target in list(targets):
            parts = target.split(".")
            targets |= {".".join(parts[:n]) for n in range(2, len(parts))}
        edges[module] = {t for t in targets if t in MODULES and t != module}
    return edges


def problem(module: str, target: str) -> str | None:
    """Why ``module`` may not import ``target``, or None."""
    if target == "matrix" or module == "matrix":
        return None
    here, there = room(module), room(target)
    if here not in LAYERS or there not in LAYERS:
        unknown = here if here not in LAYERS else there
        return f"room {unknown!r} has no layer: add it to LAYERS in {Path(__file__).name}"
    if here == there:
        if (
            here == "commands"
            and target not in SHARED_COMMAND_MODULES
            and target != "matrix.commands"
            and module != "matrix.commands"
        ):
            return "a command module imports only commands.common and commands.exit_codes"
        return None
    if LAYERS[there] > LAYERS[here]:
        return f"upward: {here} (layer {LAYERS[here]}) imports {there} (layer {LAYERS[there]})"
    if LAYERS[there] == LAYERS[here]:
        return f"sideways: {here} and {there} are both layer {LAYERS[here]}"
    return None


def cases() -> Iterator[object]:
    for module in MODULES:
        known = {t: r for (m, t), r in KNOWN_VIOLATIONS.items() if m == module}
        marks = [pytest.mark.xfail(strict=True, reason="; ".join(known.values()))] if known else []
        yield pytest.param(module, id=module, marks=marks)


@pytest.mark.parametrize("module", list(cases()))
def test_no_module_imports_upward_or_sideways(module: str) -> None:
    path = MODULES[module]
    source = path.read_text(encoding="utf-8")
    found = sorted(
        f"{module} imports {target}: {why}"
        for target in set(imports_of(module, source, path.stem == "__init__"))
        if (why := problem(module, target)) is not None
    )
    assert found == [], "\n".join(found)


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [group for group in groups if len(group) > 1]


def test_no_import_cycles() -> None:
    edges = graph()
    cycles = strongly_connected(edges)
    described = [
        " <-> ".join(group)
        + ": "
        + "; ".join(f"{m} imports {t}" for m in group for t in sorted(edges[m] & set(group)))
        for group in cycles
    ]
    assert described == [], "\n".join(described)


def test_the_reader_sees_every_kind_of_import() -> None:
    source = (
        "import matrix\n"
        "import matrix.files.read as reader\n"
        "from matrix.results import records\n"
        "from . import model\n"
        "from ..engine.timing import timing_class\n"
        "if TYPE_CHECKING:\n"
        "    from matrix.table.merge import Matrix\n"
        "def later():\n"
        "    from matrix.render import to_md\n"
    )
    known = {"matrix.results.records", "matrix.probe.model", "matrix.render.to_md"}
    found = list(imports_of("matrix.probe.validate", source, is_package=False, known=known))
    assert found == [
        "matrix",
        "matrix.files.read",
        "matrix.results.records",
        "matrix.probe.model",
        "matrix.engine.timing",
        "matrix.table.merge",
        "matrix.render.to_md",
    ]
    assert problem("matrix.probe.validate", "matrix.results.records") is not None
    assert problem("matrix.probe.validate", "matrix.engine.timing") is not None
    assert problem("matrix.commands.run", "matrix.commands.table") is not None
    assert problem("matrix.commands.run", "matrix.commands.common") is None
    assert problem("matrix.runner.runner", "matrix.probe.model") is None
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_every_room_has_a_layer() -> None:
    rooms = {room(module) for module in MODULES if module != "matrix"}
    assert rooms == set(LAYERS)
