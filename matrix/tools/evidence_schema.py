"""The evidence parts of the probe JSON Schema: documented, runtimes, bites.

Rules: the vocabularies and patterns come from matrix.language (evidence, bites,
runtimes), never written out here, so validation, the results reader and the
table agree on what an entry is; every list has a maxItems (probe files may be
hostile). matrix.tools.probe_schema puts these into the probe schema.
"""

from __future__ import annotations

from typing import Any

from matrix.language.bites import BEHAVIOURS, ISSUE_URL_PATTERN, MAX_ISSUES
from matrix.language.evidence import (
    COMMIT_PATTERN,
    KINDS,
    MAX_CITED_LINES,
    MAX_LINE,
    MAX_PATH,
    PATH_PATTERN,
    REPOSITORY_PATTERN,
)
from matrix.language.runtimes import EFFECTS, RUNTIMES


def _citation() -> dict[str, Any]:
    """The fields that cite a line of a public repository at a commit
    (matrix.language.evidence builds the link from them)."""
    return {
        "repository": {
            "type": "string",
            "pattern": REPOSITORY_PATTERN,
            "description": "GitHub owner/name of the repository the line is in "
            "(a mirror that keeps upstream commits, e.g. wine-mirror/wine).",
        },
        "commit": {
            "type": "string",
            "pattern": COMMIT_PATTERN,
            "description": "The full commit the line is cited at (40 hex digits).",
        },
        "path": {
            "type": "string",
            "maxLength": MAX_PATH,
            "pattern": PATH_PATTERN,
            "description": "The file, relative to the repository root.",
        },
        "line": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LINE,
            "description": "The cited line (the first of a range).",
        },
        "last_line": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LINE,
            "description": f"The last line of a range of at most {MAX_CITED_LINES} lines.",
        },
    }


def _documented_entry(expectation: dict[str, Any]) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    return {
        "type": "object",
        "required": ["source", "quote"],
        "additionalProperties": False,
        "properties": {
            "kind": {
                "enum": list(KINDS),
                "description": "test: a line of a conformance test that must pass on "
                "this OS (e.g. Wine's Winsock tests, run on real Windows); rule: a rule "
                "of a specification checked against one OS version (e.g. Netsem), with "
                "os_version; prose (the default): documentation text.",
            },
            "source": {
                **text,
                "maxLength": 500,
                "description": "Where the quote is from (URL or title); a cited line "
                "gets its link from repository, commit, path and line.",
            },
            "quote": {
                **text,
                "maxLength": 2000,
                "description": "The source's words, verbatim; for a cited line, the "
                "line(s) themselves, one per line, indentation aside.",
            },
            "expect": {
                "type": "object",
                "maxProperties": 16,
                "description": "Observation name → what the quote implies it should be.",
                "additionalProperties": expectation,
            },
            **_citation(),
            "os_version": {
                **text,
                "maxLength": 120,
                "description": "rule: the OS version the rule was checked against "
                "(e.g. Linux 2.4.20-8).",
            },
        },
        "allOf": [
            {
                "if": {"required": ["kind"], "properties": {"kind": {"enum": ["test", "rule"]}}},
                "then": {"required": ["repository", "commit", "path", "line"]},
            },
            {
                "if": {"required": ["kind"], "properties": {"kind": {"const": "rule"}}},
                "then": {"required": ["os_version"]},
            },
        ],
    }


def documented(
    family_pattern: str, expectation: dict[str, Any], max_families: int
) -> dict[str, Any]:
    entry = _documented_entry(expectation)
    return {
        "type": "object",
        "description": "What sources say per OS family (linux, windows, macos, …): one "
        "entry or a list (prose, conformance tests, specification rules), each a "
        "verbatim quote and its source. Never a guess.",
        "propertyNames": {"pattern": family_pattern},
        "maxProperties": max_families,
        "additionalProperties": {
            "type": ["object", "array"],
            "description": "One entry, or a list of entries for this family.",
            "if": {"type": "object"},
            "then": entry,
            "else": {"minItems": 1, "maxItems": 8, "items": entry},
        },
    }


def bites() -> dict[str, Any]:
    behaviours = ", ".join(BEHAVIOURS)
    return {
        "type": "array",
        "minItems": 1,
        "maxItems": len(BEHAVIOURS),
        "description": "The behaviours users keep filing bugs about that this probe "
        f"shows ({behaviours}), each with public issues that show it: the front "
        "page's bite list is generated from these.",
        "items": {
            "type": "object",
            "required": ["behaviour", "issues"],
            "additionalProperties": False,
            "properties": {
                "behaviour": {"enum": list(BEHAVIOURS), "description": "Which behaviour."},
                "issues": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ISSUES,
                    "description": "Public issues or pull requests that show it.",
                    "items": {
                        "type": "object",
                        "required": ["url", "shows"],
                        "additionalProperties": False,
                        "properties": {
                            "url": {
                                "type": "string",
                                "pattern": ISSUE_URL_PATTERN,
                                "description": "https://github.com/OWNER/REPO/issues/N "
                                "(or /pull/N).",
                            },
                            "shows": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 200,
                                "description": "What it shows, in a few words (the OS, "
                                "the symptom).",
                            },
                        },
                    },
                },
            },
        },
    }


def runtimes() -> dict[str, Any]:
    text = {"type": "string", "minLength": 1}
    return {
        "type": "array",
        "minItems": 1,
        "maxItems": 16,
        "description": "Well-known runtimes that hide or state the OS difference this "
        "probe measures, each with the line of its source or test that shows it.",
        "items": {
            "type": "object",
            "required": [
                "runtime",
                "effect",
                "says",
                "source",
                "quote",
                "repository",
                "commit",
                "path",
                "line",
            ],
            "additionalProperties": False,
            "properties": {
                "runtime": {"enum": list(RUNTIMES), "description": "Which runtime."},
                "effect": {
                    "enum": list(EFFECTS),
                    "description": "; ".join(f"{k}: {v}" for k, v in EFFECTS.items()) + ".",
                },
                "says": {
                    **text,
                    "maxLength": 300,
                    "description": "What it does about the difference, in a sentence.",
                },
                "source": {**text, "maxLength": 300, "description": "What the cited file is."},
                "quote": {
                    **text,
                    "maxLength": 2000,
                    "description": "The cited line(s), verbatim, one per line.",
                },
                **_citation(),
            },
        },
    }
