"""The merged-matrix JSON Schema (matrix/schemas/matrix.schema.json): ``table --format json``.

Rules: it describes what matrix.render.to_json writes, every probe x platform
cell; a cell says whether it was observed or only documented, never mixing the
two. Writing the file is matrix.tools.schemas's job, not this module's.
"""

from __future__ import annotations

from typing import Any


def matrix_schema() -> dict[str, Any]:
    string = {"type": "string"}
    strings = {"type": "array", "items": string}
    cell = {
        "type": "object",
        "description": "One probe on one platform.",
        "required": ["kind", "flags"],
        "properties": {
            "kind": {
                "enum": ["observed", "documented", "missing"],
                "description": "observed: measured; documented: only what a source "
                "says; missing: neither.",
            },
            "status": {"type": ["string", "null"], "description": "Whether the probe ran."},
            "verdict": {"type": ["string", "null"], "description": "The observed verdict."},
            "mark": {
                "type": ["string", "null"],
                "description": "Letter shared by equal verdicts within the row.",
            },
            "flags": {
                **strings,
                "description": "unstable, stale, differs from "
                "documentation, not in library, incomplete run.",
            },
            "verdicts_seen": {
                **strings,
                "description": "Every verdict across re-runs, when they disagree.",
            },
            "documented": {
                "type": ["object", "null"],
                "description": "The strongest of the probe's documented entries for this "
                "OS family: source, quote, expect (and kind, with a cited line).",
            },
            "evidence": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Every documented entry for this OS family, strongest "
                "first (test, rule, prose), each with its kind and link (url).",
            },
            "contradicts": {
                **strings,
                "description": "Observations that contradict a documented expectation.",
            },
            "contradictions": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Each documented entry an observation contradicts, with "
                "the steps it contradicts.",
            },
        },
    }
    column = {
        "type": "object",
        "required": ["key", "label", "os"],
        "description": "One platform key.",
        "properties": {"key": string, "label": string, "os": string},
    }
    row = {
        "type": "object",
        "required": ["id", "title", "differs", "legend", "cells"],
        "description": "One probe.",
        "properties": {
            "id": string,
            "title": string,
            "differs": {"type": "boolean", "description": "Observed verdicts differ."},
            "runtimes": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Runtimes that hide or state this difference, each with "
                "its cited line (url).",
            },
            "bites": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Behaviours users keep filing bugs about that this probe "
                "shows, with public issues.",
            },
            "legend": {
                "type": "object",
                "description": "Mark -> verdict.",
                "additionalProperties": string,
            },
            "cells": {
                "type": "object",
                "description": "Column key -> cell.",
                "additionalProperties": cell,
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://sockmatrix.invalid/schemas/matrix.schema.json",
        "title": "sockmatrix merged matrix",
        "description": "Every probe x platform verdict, merged from results files.",
        "type": "object",
        "required": ["format", "format_version", "columns", "rows", "skipped"],
        "properties": {
            "format": {"const": "sockmatrix-matrix", "description": "Identifies the file."},
            "format_version": {"const": 1, "description": "Format version."},
            "generated": {**string, "description": "ISO 8601 time of merging."},
            "tool_version": {**string, "description": "sockmatrix that merged."},
            "columns": {
                "type": "array",
                "items": column,
                "description": "Platforms, in display order.",
            },
            "rows": {"type": "array", "items": row, "description": "One row per probe."},
            "skipped": {
                "type": "array",
                "description": "Results files that were left out, with the reason.",
                "items": {
                    "type": "object",
                    "required": ["file", "reason"],
                    "properties": {"file": string, "reason": string},
                },
            },
        },
    }
