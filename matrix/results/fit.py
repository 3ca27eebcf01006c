"""What a run may write into a results file: the readers' own rules, applied first.

Rules of this module:
- A run never writes a file its own readers refuse: every record is checked as
  matrix.results.read will read it (strict JSON, the results schema) before it
  joins the document, and the whole text against the reader's size and memory
  limits (matrix.files.read) before it is written.
- Whatever one probe's record holds can only fail that record: a record the
  reader would refuse becomes a harness error for its probe, saying why, with
  its probe text and observations left out (they are what did not fit). When
  the file as a whole would pass a limit, this run's newest records are
  shrunk that way first, then left out and named (see ResultsWriter).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from matrix.files.read import MAX_RESULTS_BYTES, Unreadable, parse_json, structure_problem
from matrix.results.document_types import Record, ResultsDocument
from matrix.results.read import check_document

# The part of a failed record's reason that is the probe's own words (the
# reader caps every string at 4,096 characters; a reason stays far below).
REASON_LIMIT = 1000


def record_problem(record: Record, header: Mapping[str, Any], schema_version: int) -> str | None:
    """Why the results reader would refuse a file holding ``record`` (None: it would not)."""
    try:
        text = json.dumps(record, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"it is not JSON a results file can hold ({str(exc)[:200]})"
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_RESULTS_BYTES // 4:
        return f"it is {len(data)} bytes; one record may take at most {MAX_RESULTS_BYTES // 4}"
    try:
        parsed = parse_json(data)
        check_document({**header, "probes": [parsed]}, schema_version)
    except Unreadable as exc:
        return f"a results file holding it {exc}"
    return None


def document_problem(text: str) -> str | None:
    """Why the reader would refuse ``text`` as a whole: its size, or its memory cost."""
    data = text.encode("utf-8", errors="surrogatepass")
    if len(data) > MAX_RESULTS_BYTES:
        return f"the file would be {len(data)} bytes, over the reader's {MAX_RESULTS_BYTES}"
    problem = structure_problem(data, text)
    return None if problem is None else f"the file {problem}"


def failed_record(record: Mapping[str, Any], why: str) -> Record:
    """``record`` as a harness error that says why it could not be stored, without
    the parts that did not fit (probe text, observations, verdict)."""
    failed: Record = {
        "id": str(record.get("id", "")),
        "file": str(record.get("file", ""))[:REASON_LIMIT],
        "sha256": str(record.get("sha256", "")),
        "status": "harness-error",
        "reason": (
            "the probe ran, but its record could not be stored in the results file: "
            f"{why[:REASON_LIMIT]}"
        ),
        "verdict": None,
        "observations": [],
    }
    duration = record.get("duration")
    if isinstance(duration, (int, float)) and not isinstance(duration, bool):
        failed["duration"] = float(duration) if math.isfinite(duration) else 0.0
    return failed


def header_of(document: ResultsDocument) -> dict[str, Any]:
    """Everything of ``document`` but its records."""
    return {key: value for key, value in document.items() if key != "probes"}
