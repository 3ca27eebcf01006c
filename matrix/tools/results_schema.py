"""The results JSON Schema (matrix/schemas/results.schema.json): one platform's run.

Rules: results files come from other machines and may be hostile, so every
string gets a maximum length (``probe_schema.bounded``, which probes share);
fields added later are optional, so older files stay valid. Writing the file
is matrix.tools.schemas's job, not this module's.
"""

from __future__ import annotations

from typing import Any

from matrix.language.expectations import MAX_ALTERNATIVES
from matrix.tools.probe_schema import ID_PATTERN, MAX_DOCUMENTED, bounded


def word_or_words() -> dict[str, Any]:
    """A word, or a list meaning any of them, as two alternatives: fastjsonschema
    2.16 (Debian 12's, the oldest this project supports) compiles
    ``"type": ["string", "array"]`` with array keywords into a validator that
    raises UnboundLocalError on a string (measured with tox -e oldest)."""
    return {
        "anyOf": [
            {"type": "string"},
            {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "maxItems": MAX_ALTERNATIVES,
            },
        ],
        "description": "A word, or a list meaning any of them.",
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


def results_schema() -> dict[str, Any]:
    return bounded(_results_schema())  # type: ignore[no-any-return]


def _embedded_probe() -> dict[str, Any]:
    # Results carry what the table and `check` need from the probe, so they work
    # from results files alone (a caller's probes in CI, another machine's run).
    strings = {"type": "array", "maxItems": 64, "items": {"type": "string"}}
    return {
        "type": "object",
        "description": "The probe's text when it ran: title, question, tags, sources, "
        "documented expectations, runtimes, bites and assumptions (absent in older files).",
        "properties": {
            "title": {"type": "string"},
            "question": {"type": "string"},
            "tags": strings,
            "sources": strings,
            "notes": {"type": "string"},
            "documented": {"type": "object", "maxProperties": MAX_DOCUMENTED},
            "runtimes": {"type": "array", "maxItems": 16, "items": {"type": "object"}},
            "bites": {"type": "array", "maxItems": 16, "items": {"type": "object"}},
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
                            "additionalProperties": word_or_words(),
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
                        "description": "Full build: macOS product version, Windows "
                        "build.UBR, gVisor: runsc's version.",
                    },
                    "stack": {
                        **string,
                        "description": "TCP/IP stack, e.g. XNU; WSL1: Windows; gVisor: gVisor.",
                    },
                    "os_api": {**string, "description": "OS system-call API; WSL1: Linux."},
                    "libc": {**string, "description": "Linux C library: glibc or musl."},
                    "image_os": {**string, "description": "GitHub runner image (ImageOS)."},
                    "gvisor_markers": {
                        **string,
                        "description": "gVisor only: its markers found "
                        "(marker file, kernel log, uname -v).",
                    },
                    "runsc_network": {
                        **string,
                        "description": "gVisor only: runsc's --network as its launcher "
                        "passed it (none: gVisor's netstack; host: the host's stack).",
                    },
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
                                    "additionalProperties": word_or_words(),
                                },
                            },
                        },
                    },
                },
            },
        },
    }
