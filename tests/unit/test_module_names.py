"""Every module the text of the repository names exists: no name left behind by a move.

Dotted names (``matrix.engine.child``, ``python -m matrix.tools.docs``) and
paths (``matrix/language/errno_tables.py``) in matrix/ (docstrings, comments and
strings such as the child's lazy-import tuple), tests/, bench/, docs/,
README.md, CONTRIBUTING.md, the workflows, .ci/, tox.ini and pyproject.toml must name a module,
a package or a file of the checkout. A dotted name may go on into an attribute
of its module (a function, a class, a class's member). ``matrix.probes`` is the
probes/ folder, shipped as that package (pyproject's package-dir).

Only names whose second part is a room or a top-level module of matrix/, or
starts with an underscore, are read as module names: ``matrix.rows`` (a
variable named matrix), ``matrix.yml`` and workflow expressions such as
``${{ matrix.runner }}`` are not. Paths to tests/ files are checked the same
way. Files read from the checkout, nothing imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from helpers.paths import REPO

PACKAGE = REPO / "matrix"
# pyproject.toml's package-dir: the built-in library ships as matrix.probes.
MAPPED = {"matrix.probes": REPO / "probes"}


def scanned_files() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.json")]
    files += [*(REPO / "tests").rglob("*.py"), *(REPO / "bench").rglob("*.py")]
    files += [*(REPO / "docs").rglob("*.md"), REPO / "README.md", REPO / "CONTRIBUTING.md"]
    files += [*(REPO / ".github" / "workflows").glob("*.yml")]
    files += [p for p in (REPO / ".ci").rglob("*") if p.is_file()]
    files += [REPO / "tox.ini", REPO / "pyproject.toml"]
    # Not this file: its own reader test makes up names that must not exist.
    this = Path(__file__).resolve()
    return sorted(p for p in files if "__pycache__" not in p.parts and p.resolve() != this)


# Stale names found outside tests/, for their owners to fix; each file listed is
# an xfail(strict) case, so it must come off the list once it is fixed.
STALE_MODULE_NAMES: dict[str, str] = {}
STALE_TEST_PATHS: dict[str, str] = {}


def modules() -> dict[str, Path]:
    found = dict(MAPPED)
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()
ROOMS = {name.split(".")[1] for name in MODULES if name.count(".") >= 1}
MODULE_ATTRIBUTES = {"__file__", "__name__", "__path__", "__doc__", "__spec__", "__package__"}


def bound_names(body: list[ast.stmt]) -> set[str]:
    """The names a module or class body defines at its top level."""
    names: set[str] = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            inner = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
            for handler in getattr(node, "handlers", []):
                inner += handler.body
            names |= bound_names(inner)
    return names


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def attribute_problem(module: str, attributes: list[str]) -> str | None:
    """Why ``module.attributes`` does not exist, or None."""
    path = MODULES[module]
    if path.is_dir() or not attributes:
        return None if not attributes else f"{module} is a folder of data, not a module"
    first, *rest = attributes
    if first in MODULE_ATTRIBUTES:
        return None
    body = tree(path).body
    if first not in bound_names(body):
        return f"{module} has no {first!r}"
    classes = {n.name: n for n in body if isinstance(n, ast.ClassDef)}
    if rest and first in classes and rest[0] not in bound_names(classes[first].body):
        return f"{module}.{first} has no {rest[0]!r}"
    return None


def dotted_problem(name: str, glob: bool) -> str | None:
    """Why the dotted ``name`` (``matrix.a.b...``) names nothing, or None."""
    parts = name.split(".")
    if glob:
        prefix = name
        known = [*MODULES, *(f"{m}.{n}" for m in MODULES for n in attributes_of(m))]
        return None if any(k.startswith(prefix) for k in known) else f"nothing matches {name}*"
    for length in range(len(parts), 0, -1):
        module = ".".join(parts[:length])
        if module in MODULES:
            return attribute_problem(module, parts[length:])
    return f"no module {name}"


def attributes_of(module: str) -> set[str]:
    path = MODULES[module]
    return set() if path.is_dir() else bound_names(tree(path).body)


def path_problem(path: str) -> str | None:
    for dotted, folder in MAPPED.items():
        mapped_prefix = dotted.replace(".", "/")
        if path == mapped_prefix or path.startswith(mapped_prefix + "/"):
            path = str(folder.relative_to(REPO)) + path[len(mapped_prefix) :]
    if "*" in path:
        return None if list(REPO.glob(path)) else f"nothing matches {path}"
    return None if (REPO / path).exists() else f"no file {path}"


# ${{ ... }} in a workflow is GitHub's expression language (matrix.runner there
# is the job matrix), never a module name.
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
DOTTED = re.compile(r"(?<![\w.])matrix((?:\.[A-Za-z_]\w*)+)(\*)?")
MATRIX_PATH = re.compile(r"(?<![\w./-])(?:\.\./)*(matrix/[\w./*-]*[\w*])")
TESTS_PATH = re.compile(r"(?<![\w./-])(?:\.\./)*(tests/[\w./*-]*[\w*])")


def names_in(text: str) -> Iterator[tuple[int, str, bool]]:
    """(line, dotted name, is a glob) for every module name in ``text``."""
    text = EXPRESSION.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    for match in DOTTED.finditer(text):
        second = match.group(1).split(".")[1]
        if second in ROOMS or second.startswith("_"):
            line = text.count("\n", 0, match.start()) + 1
            yield line, "matrix" + match.group(1), bool(match.group(2))


def paths_in(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    for match in pattern.finditer(text):
        yield text.count("\n", 0, match.start()) + 1, match.group(1)


def stale_module_names(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = [
        f"{line}: {name}{'*' if glob else ''}: {why}"
        for line, name, glob in names_in(text)
        if (why := dotted_problem(name, glob)) is not None
    ]
    found += [
        f"{line}: {name}: {why}"
        for line, name in paths_in(text, MATRIX_PATH)
        if (why := path_problem(name)) is not None
    ]
    return found


def cases(stale: dict[str, str]) -> Iterator[object]:
    for path in scanned_files():
        name = path.relative_to(REPO).as_posix()
        marks = [pytest.mark.xfail(strict=True, reason=stale[name])] if name in stale else []
        yield pytest.param(path, id=name, marks=marks)


@pytest.mark.parametrize("path", list(cases(STALE_MODULE_NAMES)))
def test_every_module_name_names_a_module_that_exists(path: Path) -> None:
    found = stale_module_names(path)
    assert found == [], f"{path.relative_to(REPO)}:\n" + "\n".join(found)


@pytest.mark.parametrize("path", list(cases(STALE_TEST_PATHS)))
def test_every_tests_path_names_a_file_that_exists(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [
        f"{line}: {name}: {why}"
        for line, name in paths_in(text, TESTS_PATH)
        if (why := path_problem(name)) is not None
    ]
    assert found == [], f"{path.relative_to(REPO)}:\n" + "\n".join(found)


def test_the_reader_finds_module_names_and_leaves_the_rest() -> None:
    text = (
        "python -m matrix.tools.docs; see matrix/language/errno_tables.py and matrix.probes\n"
        "runs-on: ${{ matrix.runner }}; matrix.rows, matrix.yml, sockmatrix.invalid\n"
        "matrix._gone, matrix.engine.handlers.native.HANDLERS, matrix.language.ops_*\n"
        "[schema](../matrix/schemas/probe.schema.json), github.com/o/matrix/x\n"
    )
    assert list(names_in(text)) == [
        (1, "matrix.tools.docs", False),
        (1, "matrix.probes", False),
        (3, "matrix._gone", False),
        (3, "matrix.engine.handlers.native.HANDLERS", False),
        (3, "matrix.language.ops_", True),
    ]
    assert list(paths_in(text, MATRIX_PATH)) == [
        (1, "matrix/language/errno_tables.py"),
        (4, "matrix/schemas/probe.schema.json"),
    ]
    assert dotted_problem("matrix._gone", False) == "matrix has no '_gone'"
    assert dotted_problem("matrix.engine.handlers.native.HANDLERS", False) is None
    assert dotted_problem("matrix.engine.handlers.native.NO_SUCH", False) is not None
    assert dotted_problem("matrix.engine.no_such_module", False) is not None
    assert dotted_problem("matrix.engine.abi.layout.Abi.no_such_member", False) is not None
    assert dotted_problem("matrix.language.ops_", True) is None
    assert dotted_problem("matrix.__version__", False) is None
    assert path_problem("matrix/probes/close") is None
    assert path_problem("matrix/no/such.py") is not None
