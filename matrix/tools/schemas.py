"""Where the shipped JSON Schemas live, and writing them: ``python -m matrix.tools.schemas``.

The shipped files in ``matrix/schemas/`` are the output of :func:`probe_schema`
(matrix.tools.probe_schema), :func:`results_schema` (matrix.tools.results_schema) and
:func:`matrix_schema` (matrix.tools.matrix_schema). Rules: the files are generated,
never edited by hand; running this module rewrites them, and a test fails when
a shipped file is out of date. The builders are re-exported here so callers
keep one import path.
"""

from __future__ import annotations

import json
from pathlib import Path

from matrix.tools.matrix_schema import matrix_schema
from matrix.tools.probe_schema import probe_schema
from matrix.tools.results_schema import results_schema

__all__ = [
    "MATRIX_SCHEMA_PATH",
    "PROBE_SCHEMA_PATH",
    "RESULTS_SCHEMA_PATH",
    "matrix_schema",
    "probe_schema",
    "results_schema",
    "write_schema",
]

SCHEMA_DIR = Path(__file__).parent.parent / "schemas"
PROBE_SCHEMA_PATH = SCHEMA_DIR / "probe.schema.json"
RESULTS_SCHEMA_PATH = SCHEMA_DIR / "results.schema.json"
MATRIX_SCHEMA_PATH = SCHEMA_DIR / "matrix.schema.json"


def write_schema() -> None:
    for path, schema in (
        (PROBE_SCHEMA_PATH, probe_schema()),
        (RESULTS_SCHEMA_PATH, results_schema()),
        (MATRIX_SCHEMA_PATH, matrix_schema()),
    ):
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
