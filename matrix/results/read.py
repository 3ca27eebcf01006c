"""Read one results file that may be hostile: bounded, checked, or refused with a reason.

Results files arrive as CI artifacts from forks and strangers. Every reader
(``table``, ``show``, ``check``, a re-run that keeps earlier results) goes
through :func:`read_results`: the bounded read and strict JSON of
matrix.files.read, then the results schema before anything uses the document.
A journal a run left beside the file (matrix.results.journal) is folded in
first, so a reader sees every record that run finished.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, cast

import fastjsonschema

from matrix.files.read import Unreadable
from matrix.results.document_types import ResultsDocument
from matrix.results.journal import read_folded
from matrix.schemas.paths import RESULTS_SCHEMA_PATH

__all__ = ["Unreadable", "check_document", "read_results"]


@functools.cache
def _validator() -> Any:
    schema = json.loads(RESULTS_SCHEMA_PATH.read_text(encoding="utf-8"))
    return fastjsonschema.compile(schema)


def check_document(document: Any, schema_version: int) -> ResultsDocument:
    if not isinstance(document, dict):
        raise Unreadable("is not a results document (expected a JSON object)")
    version = document.get("schema_version")
    if version != schema_version:
        shown = repr(version)[:40]
        raise Unreadable(
            f"has schema version {shown}; this sockmatrix reads version {schema_version}"
        )
    try:
        _validator()(document)
    except fastjsonschema.JsonSchemaValueException as error:
        trail = "/".join(str(p)[:40] for p in error.path[1:]) or "(top level)"
        raise Unreadable(
            f"does not match the results schema at {trail}: {str(error.message)[:200]}"
        ) from None
    return cast(ResultsDocument, document)  # the schema vouches for it from here on


def read_results(path: Path, schema_version: int) -> ResultsDocument:
    """A results document that is safe to use, or Unreadable with the reason."""
    return check_document(read_folded(path)[1], schema_version)


def recorded_durations(path: Path, schema_version: int) -> dict[str, float]:
    """How long each probe took when ``path`` last recorded it, by id ({} when the
    file is missing or unreadable: it only orders the next run's start)."""
    try:
        document = read_results(path, schema_version)
    except (Unreadable, OSError):
        return {}
    durations: dict[str, float] = {}
    for record in document["probes"]:
        duration = record.get("duration")
        if isinstance(duration, (int, float)) and not isinstance(duration, bool):
            durations[record["id"]] = float(duration)
    return durations
