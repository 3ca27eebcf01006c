"""Where the shipped JSON Schemas are.

Rules of this module: paths only. Importing it must never load a schema
builder (matrix.tools.*_schema), so that reading a probe or a results file
costs the file's own checks and nothing else.
"""

from __future__ import annotations

from pathlib import Path

SCHEMA_DIR = Path(__file__).parent
PROBE_SCHEMA_PATH = SCHEMA_DIR / "probe.schema.json"
RESULTS_SCHEMA_PATH = SCHEMA_DIR / "results.schema.json"
MATRIX_SCHEMA_PATH = SCHEMA_DIR / "matrix.schema.json"
