"""The probe's sha256, taken over the scenario it runs rather than its bytes.

A results file records the sha256 of the probe it ran, and the table marks a
cell *stale* when the probe changed since. Hashing the file's bytes made every
Windows result stale: GitHub's Windows runners check out with CRLF line endings
(git's core.autocrlf=true there), so the same probe hashed differently from the
merge job's Linux copy. The parsed document serialised canonically (sorted keys,
fixed separators, UTF-8) hashes the same whatever the line endings, indentation,
quoting style or comments, and changes whenever a value does.

Only what the engine runs counts (SCENARIO_KEYS): a cell is stale when the
scenario that produced it changed, not when a note, a source or a documented
quote was corrected. Prose is read from the current probe file at merge time,
so fixing a citation must not make every platform's observations look old
until each OS has run again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(document: Any) -> str:
    """One spelling of a parsed probe: same data, same text, on every OS."""
    # default=str: YAML may hand back a date or similar for an unquoted value the
    # schema let through as "any"; str() keeps the hash defined instead of failing.
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


# What the engine reads (engine/scenario.py) and the runner passes (time_limit),
# plus the id that names the record.
SCENARIO_KEYS = ("id", "time_limit", "sockets", "steps", "verdict")


def probe_digest(document: Any) -> str:
    scenario = (
        {key: document[key] for key in SCENARIO_KEYS if key in document}
        if isinstance(document, dict)
        else document
    )
    return hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()
