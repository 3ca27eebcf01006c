"""Terminal text about a probe's assumptions on one platform: `run` and `show`.

Rules of this module: words only; which assumptions break is decided by
matrix.probe.assumptions. Kept apart from run_report so that rendering a
table never loads the assumption machinery.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matrix.probe.assumptions import applicable, broken_assumptions, describe
from matrix.probe.assumptions import from_record as assumptions_in
from matrix.results.document_types import Platform, Record


def assumption_lines(record: Record, platform: Platform | None) -> str:
    """For `show`: the record's assumptions and whether they hold on its platform."""
    assumptions = assumptions_in(record)
    if not assumptions:
        return "\nassumptions: none"
    info: Mapping[str, Any] = platform if isinstance(platform, dict) else {}
    family, key = str(info.get("os", "?")), str(info.get("key", "?"))
    broken = {(b.step, b.line): b for b in broken_assumptions(record, family, key, assumptions)}
    lines = ["", f"assumptions (on {key}):"]
    for a in applicable(assumptions, family):
        fault = broken.get((a.step, a.line))
        state = f"BROKEN: observed {fault.observed}" if fault else "holds"
        where = f"line {a.line}" if a.line else "line ?"
        lines.append(f"  {a.step}: {describe(a.expect)} ({a.platform}, {where}): {state}")
    return "\n".join(lines)


def broken_here(records: list[Record], platform: Platform) -> list[str]:
    """For `run`: this platform's broken assumptions, then how to fail on them."""
    broken = [
        b
        for record in records
        for b in broken_assumptions(record, str(platform["os"]), str(platform["key"]))
    ]
    if not broken:
        return []
    return [
        *map(str, broken),
        f"{len(broken)} assumption(s) broken here; `sockmatrix check` exits 1 on them",
    ]
