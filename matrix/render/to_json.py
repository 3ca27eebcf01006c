"""The merged matrix as JSON, for other tools (schema: matrix/schemas/matrix.schema.json)."""

from __future__ import annotations

import json
from typing import Any

from matrix.language.evidence import citation_url, kind_of
from matrix.language.probe_types import Documented
from matrix.render.present import evidence_url
from matrix.results.document import now_iso
from matrix.table.merge import Matrix
from matrix.table.model import MATRIX_FORMAT, MATRIX_VERSION
from matrix.table.nogc import without_gc


def matrix_document(matrix: Matrix) -> dict[str, Any]:
    return {
        "format": MATRIX_FORMAT,
        "format_version": MATRIX_VERSION,
        "generated": now_iso(),
        "tool_version": matrix.tool_version,
        "columns": [
            {
                "key": c.key,
                "label": c.label,
                "os": c.os,
                "os_version": c.os_version,
                "machine": c.machine,
                "python": c.python,
                "documented_only": c.documented_only,
                "tool_version": c.tool_version,
                "started": c.started,
                "complete": c.complete,
                "source": c.source,
                "files": c.files,
            }
            for c in matrix.columns
        ],
        "rows": [
            {
                "id": r.id,
                "title": r.title,
                "question": r.question,
                "tags": r.tags,
                "sources": r.sources,
                "runtimes": [{**entry, "url": citation_url(entry)} for entry in r.runtimes],
                "bites": r.bites,
                "differs": r.differs,
                "legend": r.legend,
                "in_library": r.in_library,
                "cells": {
                    key: {
                        "kind": cell.kind,
                        "status": cell.status,
                        "verdict": cell.verdict,
                        "mark": cell.mark,
                        "flags": cell.flags,
                        "verdicts_seen": cell.verdicts_seen,
                        "documented": cell.documented,
                        "evidence": [_entry(entry) for entry in cell.evidence],
                        "contradicts": cell.contradicts,
                        "contradictions": [
                            {**_entry(c.entry), "steps": c.steps} for c in cell.contradictions
                        ],
                    }
                    for key, cell in r.cells.items()
                },
            }
            for r in matrix.rows
        ],
        "skipped": [{"file": s.file, "reason": s.reason} for s in matrix.skipped],
    }


def _entry(entry: Documented) -> dict[str, Any]:
    """A documented entry as given, with its kind and link spelled out."""
    return {**entry, "kind": kind_of(entry), "url": evidence_url(entry)}


@without_gc
def render_json(matrix: Matrix) -> str:
    # No indent: json's C encoder only runs without one, 5x faster on big matrices.
    return json.dumps(matrix_document(matrix), ensure_ascii=False) + "\n"
