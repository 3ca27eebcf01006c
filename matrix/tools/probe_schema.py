"""The probe JSON Schema (matrix/schemas/probe.schema.json), built from the operations table.

Rules: the step schema is derived from matrix.language.operations, never written out by
hand, so the schema cannot drift from what the engine runs; every property
carries a description, because editors show them as completion help; every
list has a maxItems (probe files may be hostile). Writing the file is
matrix.tools.schemas's job, not this module's.
"""

from __future__ import annotations

from typing import Any

from matrix.language.operations import (
    COMMON_STEP_ARGS,
    INT_OPTION_VALUE,
    LINGER_VALUE,
    MAX_SECONDS,
    OPERATIONS,
    OPTION_NAME_PATTERN,
    SOCKET_NAME_PATTERN,
)
from matrix.tools.evidence_schema import bites, documented, runtimes

PROBE_SCHEMA_ID = "https://sockmatrix.invalid/schemas/probe.schema.json"
# The longest string a results file may hold (matrix.tools.results_schema): a
# probe's text is embedded in every record, so no string of a probe may be
# longer, or a valid probe would write a results file its readers refuse.
MAX_RESULTS_STRING = 4096
# A results record embeds at most this many families' documentation.
MAX_DOCUMENTED = 64
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


def bounded(schema: Any) -> Any:
    """Give every string in a schema a maximum length (results files refuse longer ones)."""
    if isinstance(schema, dict):
        result = {key: bounded(value) for key, value in schema.items()}
        kinds = schema.get("type")
        is_string = kinds == "string" or (isinstance(kinds, list) and "string" in kinds)
        if is_string and "maxLength" not in schema:
            result["maxLength"] = MAX_RESULTS_STRING
        return result
    if isinstance(schema, list):
        return [bounded(item) for item in schema]
    return schema


def probe_schema() -> dict[str, Any]:
    return bounded(_probe_schema())  # type: ignore[no-any-return]


def _probe_schema() -> dict[str, Any]:
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
            "documented": documented(PLATFORM_PATTERN, _expectation(), MAX_DOCUMENTED),
            "bites": bites(),
            "runtimes": runtimes(),
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
