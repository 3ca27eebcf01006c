"""Whether two results files with one key are re-runs of one platform.

Rules of this module:
- A key is a file name, not an identity: two files share a column only when
  every identity field they both record agrees (a field one file lacks, written
  by an older sockmatrix, is no disagreement).
- Patch levels (kernel patch, Windows UBR, macOS patch, distribution point
  release) may differ between re-runs and are not compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

IDENTITY_FIELDS = (
    "os",
    "os_version",
    "machine",
    "stack",
    "libc",
    "distribution_id",
    "distribution_version",
    "python_implementation",
    "image_os",
    "runsc_network",
)


def identity_conflict(
    first: Mapping[str, Any], second: Mapping[str, Any]
) -> tuple[str, str, str] | None:
    """The first identity field two results documents disagree on, or None.

    Files with one key are re-runs of one platform unless they differ here; patch
    levels (kernel patch, Windows UBR, macOS patch, distribution point release)
    may differ between re-runs and are not compared. A field one file lacks
    (written by an older sockmatrix) is not a disagreement.
    """
    for field in IDENTITY_FIELDS:
        a, b = _identity_value(first, field), _identity_value(second, field)
        if a and b and a != b:
            return field, a, b
    return None


def _identity_value(document: Mapping[str, Any], field: str) -> str:
    value = document.get("platform", {}).get(field)
    if value is None and field == "image_os":
        value = document.get("source", {}).get("image_os")
    return str(value) if value is not None else ""


def collision_reason(
    document: Mapping[str, Any], entries: Sequence[tuple[str, Mapping[str, Any]]]
) -> str | None:
    """Why ``document`` may not join the column of ``entries`` (files with its key), or None."""
    for other_file, other in entries:
        conflict = identity_conflict(other, document)
        if conflict is not None:
            field, theirs, ours = conflict
            return (
                f"platform key {document['platform']['key']!r} collides with {other_file}: "
                f"{field} is {ours!r} here and {theirs!r} there, so they are different "
                "platforms; not merged"
            )
    return None
