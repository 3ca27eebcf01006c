"""Build the probe JSON Schema from the operations table.

The shipped file ``matrix/schemas/probe.schema.json`` is the output of
:func:`probe_schema`; ``python -m matrix._schema_build`` rewrites it and a test
fails when it is out of date. Every property carries a description, because
editors show them as completion help.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matrix._operations import (
    COMMON_STEP_ARGS,
    INT_OPTION_VALUE,
    LINGER_VALUE,
    MAX_SECONDS,
    OPERATIONS,
    OPTION_NAME_PATTERN,
    SOCKET_NAME_PATTERN,
)

SCHEMA_DIR = Path(__file__).parent / "schemas"
PROBE_SCHEMA_PATH = SCHEMA_DIR / "probe.schema.json"
PROBE_SCHEMA_ID = "https://sockmatrix.invalid/schemas/probe.schema.json"
RESULTS_SCHEMA_PATH = SCHEMA_DIR / "results.schema.json"
MATRIX_SCHEMA_PATH = SCHEMA_DIR / "matrix.schema.json"
MATRIX_SCHEMA_PATH = SCHEMA_DIR / "matrix.schema.json"

ID_PATTERN = "^[a-z0-9][a-z0-9-]{0,63}$"
PLATFORM_PATTERN = "^[a-z][a-z0-9-]{0,31}$"


def _socket_options() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Options applied when the socket is made: socket options by name "
        "(before connect/listen, integer values), plus `linger`, `blocking` and `timeout`.",
        "maxProperties": 16,
        "properties": {
            "linger": LINGER_VALUE,
            "blocking": {
                "type": "boolean",
                "description": "False: nonblocking, applied "
                "after the socket is connected or listening.",
            },
            "timeout": {
                "type": ["number", "null"],
                "exclusiveMinimum": 0,
                "maximum": MAX_SECONDS,
                "description": "Python settimeout(), applied "
                "after the socket is connected or listening.",
            },
        },
        "patternProperties": {
            OPTION_NAME_PATTERN: {
                **INT_OPTION_VALUE,
                "description": "Integer socket option set with setsockopt().",
            }
        },
        "additionalProperties": False,
    }


def _socket_spec() -> dict[str, Any]:
    name = {"type": "string", "pattern": SOCKET_NAME_PATTERN}
    family = {"enum": ["ipv4", "ipv6"], "description": "Address family (default ipv4)."}
    return {
        "type": "object",
        "description": "One socket, or a connected pair. Exactly one of pair, listener, tcp, udp.",
        "properties": {
            "pair": {
                "type": "array",
                "items": name,
                "minItems": 2,
                "maxItems": 2,
                "description": "[client, server]: a TCP connection over loopback; "
                "the server end is the accepted socket.",
            },
            "listener": {
                **name,
                "description": "A TCP socket bound to loopback port 0 and listening.",
            },
            "tcp": {**name, "description": "A fresh TCP socket, neither bound nor connected."},
            "udp": {**name, "description": "A UDP socket."},
            "bind": {
                "type": "boolean",
                "description": "udp only: bind to loopback port 0 (default true).",
            },
            "family": family,
            "backlog": {
                "type": "integer",
                "minimum": 0,
                "maximum": 128,
                "description": "listener only: listen() backlog (default 8).",
            },
            "options": {
                "type": "object",
                "description": "Socket options: for a pair, a "
                "mapping from each end's name to its options.",
            },
        },
        "additionalProperties": False,
        "oneOf": [{"required": [key]} for key in ("pair", "listener", "tcp", "udp")],
        "allOf": [
            {
                "if": {"required": ["pair"]},
                "then": {
                    "properties": {
                        "options": {
                            "description": "Each end's name → its options.",
                            "propertyNames": {"pattern": SOCKET_NAME_PATTERN},
                            "additionalProperties": _socket_options(),
                        }
                    }
                },
            },
            {
                "if": {"not": {"required": ["pair"]}},
                "then": {"properties": {"options": _socket_options()}},
            },
        ],
    }


def _step() -> dict[str, Any]:
    every_arg: dict[str, Any] = dict(COMMON_STEP_ARGS)
    for op in OPERATIONS.values():
        for arg, schema in op.args.items():
            every_arg.setdefault(arg, {"description": schema.get("description", arg)})
    per_op = []
    for op_name, op in sorted(OPERATIONS.items()):
        then: dict[str, Any] = {
            "properties": {**COMMON_STEP_ARGS, **op.args},
            "additionalProperties": False,
            "required": ["op", *op.required],
        }
        if op.one_of:
            then["allOf"] = [
                {"oneOf": [{"required": [arg]} for arg in group]} for group in op.one_of
            ]
        per_op.append(
            {"if": {"properties": {"op": {"const": op_name}}, "required": ["op"]}, "then": then}
        )
    return {
        "type": "object",
        "description": "One step: an operation and its arguments.",
        "required": ["op"],
        "properties": every_arg,
        "additionalProperties": False,
        "allOf": per_op,
    }


def _expectation() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "What the source says one observation should be. Only the fields "
        "given are compared.",
        "additionalProperties": False,
        "minProperties": 1,
        "properties": {
            "outcome": {
                "enum": ["returned", "raised", "blocked"],
                "description": "How the step ended.",
            },
            "error": {
                "type": "string",
                "pattern": "^[A-Z][A-Z0-9_]*$",
                "description": "Portable error name, e.g. EWOULDBLOCK or ECONNRESET.",
            },
            "summary": {"type": "string", "description": "The value summary, e.g. EOF."},
            "timing": {
                "type": "string",
                "description": "Timing class: immediate, 'after ~N s' or blocked.",
            },
        },
    }


def _assumptions() -> dict[str, Any]:
    # Same vocabulary as documented.expect, so `sockmatrix check` compares an
    # assumption with an observation exactly as the table compares a quote.
    return {
        "type": "object",
        "description": "What the code that uses these sockets relies on, per platform "
        "family (linux, windows, macos, …) or `all`; a family's entry for a step "
        "replaces the `all` entry for that step. `sockmatrix check` and the pytest "
        "plugin fail when an observation contradicts one.",
        "propertyNames": {"pattern": PLATFORM_PATTERN},
        "maxProperties": 16,
        "minProperties": 1,
        "additionalProperties": {
            "type": "object",
            "description": "Step name → what the code assumes that step does.",
            "minProperties": 1,
            "maxProperties": 16,
            "additionalProperties": _expectation(),
        },
    }


def probe_schema() -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PROBE_SCHEMA_ID,
        "title": "sockmatrix probe",
        "description": "A socket behaviour scenario, run on each OS and compared.",
        "type": "object",
        "required": ["id", "title", "question", "tags", "sources", "sockets", "steps", "verdict"],
        "additionalProperties": False,
        "properties": {
            "id": {
                "type": "string",
                "pattern": ID_PATTERN,
                "description": "Equal to the file name without .yaml.",
            },
            "title": {**text, "maxLength": 120, "description": "Row label in the table."},
            "question": {
                **text,
                "maxLength": 2000,
                "description": "The question this probe answers, plainly.",
            },
            "tags": {
                "type": "array",
                "items": {"type": "string", "pattern": ID_PATTERN},
                "maxItems": 16,
                "description": "Areas, for filtering (close, linger…).",
            },
            "sources": {
                "type": "array",
                "minItems": 1,
                "maxItems": 32,
                "items": {**text, "maxLength": 500},
                "description": "URLs or references for the behaviour probed.",
            },
            "documented": {
                "type": "object",
                "description": "What documentation says per OS family (linux, windows, "
                "macos, …): a quote and its source. Never a guess.",
                "propertyNames": {"pattern": PLATFORM_PATTERN},
                "additionalProperties": {
                    "type": "object",
                    "required": ["source", "quote"],
                    "additionalProperties": False,
                    "properties": {
                        "source": {
                            **text,
                            "maxLength": 500,
                            "description": "Where the quote is from (URL or title).",
                        },
                        "quote": {
                            **text,
                            "maxLength": 2000,
                            "description": "The documentation's words, verbatim.",
                        },
                        "expect": {
                            "type": "object",
                            "maxProperties": 16,
                            "description": "Observation name → what the quote "
                            "implies it should be.",
                            "additionalProperties": _expectation(),
                        },
                    },
                },
            },
            "assumptions": _assumptions(),
            "notes": {
                "type": "string",
                "maxLength": 4000,
                "description": "Findings and caveats, e.g. where sources disagree.",
            },
            "time_limit": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 120,
                "description": "Hard limit in seconds for the probe's process (default 20).",
            },
            "sockets": {
                "type": "array",
                "minItems": 1,
                "maxItems": 16,
                "items": _socket_spec(),
                "description": "Sockets made before the first step.",
            },
            "steps": {
                "type": "array",
                "minItems": 1,
                "maxItems": 200,
                "items": _step(),
                "description": "The scenario, in order.",
            },
            "verdict": {
                "type": "array",
                "minItems": 1,
                "maxItems": 16,
                "items": {"type": "string"},
                "description": "Names of the steps whose observations make up the "
                "verdict that is compared across platforms.",
            },
        },
    }


def _observation_schema() -> dict[str, Any]:
    number_or_null = {"type": ["number", "null"]}
    return {
        "type": "object",
        "description": "What one named step did.",
        "required": ["name", "op", "outcome", "summary", "timing"],
        "properties": {
            "name": {"type": "string", "description": "The step's name in the probe."},
            "op": {"type": "string", "description": "The operation."},
            "socket": {"type": ["string", "null"], "description": "Socket it used."},
            "thread": {"type": ["string", "null"], "description": "Thread it ran on."},
            "step_index": {"type": "integer", "description": "Index in the probe's steps."},
            "outcome": {
                "enum": [
                    "returned",
                    "raised",
                    "blocked",
                    "unsupported",
                    "not-reached",
                    "harness-error",
                    "killed",
                ],
                "description": "How the step ended (not-reached: its socket was never made; "
                "killed: the process died in this step, of SIGPIPE).",
            },
            "summary": {
                "type": "string",
                "description": "Value summary: byte count, EOF, "
                "option value, the portable error name, or blocked.",
            },
            "bound": {**number_or_null, "description": "Seconds waited before `blocked`."},
            "elapsed": {**number_or_null, "description": "Seconds until it returned."},
            "timing": {
                "type": "string",
                "description": "Timing class: immediate, 'after ~N s', blocked, or "
                "'already returned' (a join on a step that had returned before it looked).",
            },
            "error": {
                "type": ["object", "null"],
                "description": "The exception, when the outcome is raised.",
                "properties": {
                    "exception": {"type": "string", "description": "Python class."},
                    "errno": {"type": ["integer", "null"], "description": "Raw number."},
                    "name": {
                        "type": ["string", "null"],
                        "description": "The platform's name for it (WSAECONNRESET).",
                    },
                    "portable": {
                        "type": "string",
                        "description": "The name that compares across OSes.",
                    },
                    "message": {"type": "string", "description": "The exception text."},
                },
            },
            "value": {"type": "object", "description": "Raw returned values."},
        },
    }


MAX_RESULTS_STRING = 4096


def _bounded(schema: Any) -> Any:
    """Give every string in a schema a maximum length (hostile results files)."""
    if isinstance(schema, dict):
        bounded = {key: _bounded(value) for key, value in schema.items()}
        kinds = schema.get("type")
        is_string = kinds == "string" or (isinstance(kinds, list) and "string" in kinds)
        if is_string and "maxLength" not in schema:
            bounded["maxLength"] = MAX_RESULTS_STRING
        return bounded
    if isinstance(schema, list):
        return [_bounded(item) for item in schema]
    return schema


def results_schema() -> dict[str, Any]:
    return _bounded(_results_schema())  # type: ignore[no-any-return]


def _embedded_probe() -> dict[str, Any]:
    # Results carry what the table and `check` need from the probe, so they work
    # from results files alone (a caller's probes in CI, another machine's run).
    strings = {"type": "array", "maxItems": 64, "items": {"type": "string"}}
    return {
        "type": "object",
        "description": "The probe's text when it ran: title, question, tags, sources, "
        "documented expectations and assumptions (absent in older files).",
        "properties": {
            "title": {"type": "string"},
            "question": {"type": "string"},
            "tags": strings,
            "sources": strings,
            "notes": {"type": "string"},
            "documented": {"type": "object", "maxProperties": 64},
            "assumptions": {
                "type": "array",
                "maxItems": 256,
                "items": {
                    "type": "object",
                    "required": ["platform", "step", "expect"],
                    "properties": {
                        "platform": {"type": "string", "description": "Family, or all."},
                        "step": {"type": "string"},
                        "expect": {
                            "type": "object",
                            "maxProperties": 8,
                            "additionalProperties": {"type": "string"},
                        },
                        "line": {"type": ["integer", "null"], "description": "Line in file."},
                    },
                },
            },
        },
    }


def _results_schema() -> dict[str, Any]:
    string = {"type": "string"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://sockmatrix.invalid/schemas/results.schema.json",
        "title": "sockmatrix results",
        "description": "What one run of the probes observed on one platform.",
        "type": "object",
        "required": ["schema_version", "tool", "platform", "started", "complete", "probes"],
        "properties": {
            "schema_version": {"const": 1, "description": "Format version of this file."},
            "tool": {
                "type": "object",
                "required": ["name", "version"],
                "description": "The sockmatrix that wrote it.",
                "properties": {"name": string, "version": string},
            },
            "platform": {
                "type": "object",
                "description": "Where it ran: never the host or user name.",
                "required": ["os", "os_version", "machine", "python_version", "key"],
                "properties": {
                    "os": {**string, "description": "OS family: linux, windows, macos, …"},
                    "os_version": {
                        **string,
                        # ASCII only: "²".isdigit() is true but int("²") fails.
                        "pattern": "^[A-Za-z0-9._+~-]{1,64}$",
                        "description": "Kernel (Linux) or OS release.",
                    },
                    "machine": {
                        **string,
                        "pattern": "^[A-Za-z0-9._-]{1,32}$",
                        "description": "Architecture, e.g. x86_64.",
                    },
                    "python_version": {**string, "pattern": "^[0-9]{1,3}\\.[0-9]{1,3}"},
                    "python_implementation": string,
                    "os_build": {
                        **string,
                        "description": "Full build: macOS product version, Windows build.UBR.",
                    },
                    "stack": {**string, "description": "TCP/IP stack, e.g. XNU; WSL1: Windows."},
                    "os_api": {**string, "description": "OS system-call API; WSL1: Linux."},
                    "libc": {**string, "description": "Linux C library: glibc or musl."},
                    "image_os": {**string, "description": "GitHub runner image (ImageOS)."},
                    "key": {
                        "type": "string",
                        "pattern": "^[a-z0-9._-]+$",
                        "description": "Platform key, also the file name.",
                    },
                },
            },
            "source": {
                "type": "object",
                "description": "CI provenance when run there: "
                "run_url, commit, image_os, image_version.",
                "additionalProperties": {"type": "string"},
            },
            "api": {
                "enum": ["native", "python"],
                "description": "native: C calls on raw descriptors (what a C program sees); "
                "python: through CPython's socket module. Absent in older files: python.",
            },
            "started": {**string, "description": "ISO 8601 start time."},
            "finished": {"type": ["string", "null"], "description": "ISO 8601 end time."},
            "complete": {"type": "boolean", "description": "False if the run was interrupted."},
            "probes": {
                "type": "array",
                "description": "One record per probe.",
                "items": {
                    "type": "object",
                    "required": ["id", "sha256", "status"],
                    "properties": {
                        "id": {"type": "string", "pattern": ID_PATTERN},
                        "file": string,
                        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                        "status": {
                            "enum": [
                                "ok",
                                "skipped",
                                "harness-error",
                                "timed-out",
                                "crashed",
                                "invalid",
                            ],
                            "description": "Whether the probe could run.",
                        },
                        "reason": {"type": ["string", "null"]},
                        "probe": _embedded_probe(),
                        "duration": {"type": "number", "description": "Wall seconds."},
                        "overhead": {
                            "type": "number",
                            "description": "Seconds from process start to the first step.",
                        },
                        "verdict": {
                            "type": ["string", "null"],
                            "description": "The comparable summary.",
                        },
                        "observations": {"type": "array", "items": _observation_schema()},
                        "stderr_tail": string,
                        "repeat": {
                            "type": "object",
                            "description": "With --repeat: how many runs, and how many gave "
                            "each verdict.",
                            "required": ["runs", "verdicts"],
                            "properties": {
                                "runs": {"type": "integer", "minimum": 1},
                                "verdicts": {
                                    "type": "object",
                                    "maxProperties": 1000,
                                    "additionalProperties": {"type": "integer"},
                                },
                            },
                        },
                        "unstable": {
                            "type": "boolean",
                            "description": "The repeated runs gave more than one verdict.",
                        },
                        "cleanup": {"type": "array", "items": string},
                        "run": {
                            "type": "object",
                            "description": "Provenance of a record kept from an earlier "
                            "run of this platform (a run of some probes keeps the others).",
                            "properties": {
                                "started": string,
                                "tool_version": string,
                                "source": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }


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
                "description": "The probe's "
                "documented expectation for this OS family: source, quote, "
                "expect.",
            },
            "contradicts": {
                **strings,
                "description": "Observations that contradict the documented expectation.",
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


def write_schema() -> None:
    for path, schema in (
        (PROBE_SCHEMA_PATH, probe_schema()),
        (RESULTS_SCHEMA_PATH, results_schema()),
        (MATRIX_SCHEMA_PATH, matrix_schema()),
    ):
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_schema()
