"""Writing the shipped JSON Schemas: ``python -m matrix.tools.schemas [--check]``.

The shipped files in ``matrix/schemas/`` are the output of
:func:`~matrix.tools.probe_schema.probe_schema`,
:func:`~matrix.tools.results_schema.results_schema` and
:func:`~matrix.tools.matrix_schema.matrix_schema`. Rules: the files are
generated, never edited by hand; running this module rewrites them, ``--check``
only reports the stale ones, and a test fails when a shipped file is out of date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matrix.schemas.paths import MATRIX_SCHEMA_PATH, PROBE_SCHEMA_PATH, RESULTS_SCHEMA_PATH
from matrix.tools.matrix_schema import matrix_schema
from matrix.tools.probe_schema import probe_schema
from matrix.tools.results_schema import results_schema

BUILDERS: tuple[tuple[Path, Callable[[], dict[str, Any]]], ...] = (
    (PROBE_SCHEMA_PATH, probe_schema),
    (RESULTS_SCHEMA_PATH, results_schema),
    (MATRIX_SCHEMA_PATH, matrix_schema),
)


def schema_text(build: Callable[[], dict[str, Any]]) -> str:
    return json.dumps(build(), indent=2) + "\n"


def stale_schemas() -> list[Path]:
    """The shipped schema files that differ from what their builders produce now."""
    return [
        path
        for path, build in BUILDERS
        if not path.exists() or path.read_text(encoding="utf-8") != schema_text(build)
    ]


def write_schema() -> None:
    for path, build in BUILDERS:
        path.write_text(schema_text(build), encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        stale = stale_schemas()
        for path in stale:
            print(f"{path}: out of date; run: python -m matrix.tools.schemas", file=sys.stderr)
        return 1 if stale else 0
    if argv:
        print("usage: python -m matrix.tools.schemas [--check]", file=sys.stderr)
        return 2
    write_schema()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
