"""The probe's sha256, taken over its meaning rather than its bytes.

A results file records the sha256 of the probe it ran, and the table marks a
cell *stale* when the probe changed since. Hashing the file's bytes made every
Windows result stale: GitHub's Windows runners check out with CRLF line endings
(git's core.autocrlf=true there), so the same probe hashed differently from the
merge job's Linux copy. The parsed document serialised canonically (sorted keys,
fixed separators, UTF-8) hashes the same whatever the line endings, indentation,
quoting style or comments, and changes whenever a value does.
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


def probe_digest(document: Any) -> str:
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
