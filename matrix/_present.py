"""How a cell reads, shared by every output format.

Renderers decide markup and escaping; this module decides the words, so the
Markdown, HTML, JSON and terminal tables always say the same thing.
"""

from __future__ import annotations

import re

from matrix.merge import Cell, describe_expectation

FLAG_SYMBOLS = {
    "unstable": "~",
    "stale": "†",
    "differs from documentation": "≠doc",
    "not in library": "?",
    "incomplete run": "…",
}
FLAG_LEGEND = {
    "~": "unstable: re-runs on this platform gave different verdicts",
    "†": "stale: written by another sockmatrix version or for an older probe file",
    "≠doc": "differs from documentation: the observation contradicts the documented expectation",
    "?": "the probe is no longer in the library",
    "…": "from a run that was interrupted",
}
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>`\\]+$")


def safe_url(text: str) -> str | None:
    """``text`` if it is a plain http(s) URL that may be linked, else None."""
    return text if _SAFE_URL.match(text) else None


def source_url(text: str) -> str | None:
    """The first http(s) URL inside a source reference, if any."""
    match = re.search(r"https?://[^\s\"'<>`\\)]+", text)
    return safe_url(match.group(0)) if match else None


def flag_symbols(cell: Cell) -> str:
    return " ".join(FLAG_SYMBOLS[f] for f in cell.flags if f in FLAG_SYMBOLS)


def cell_text(cell: Cell) -> str:
    """Short text for a table cell: the mark, a status, or the documented claim."""
    if cell.kind == "missing":
        return "—"
    if cell.kind == "documented":
        return "documented: " + documented_text(cell)
    main = cell.mark if cell.mark else str(cell.status)
    symbols = flag_symbols(cell)
    return f"{main} {symbols}".strip()


def documented_text(cell: Cell) -> str:
    doc = cell.documented or {}
    if doc.get("expect"):
        return describe_expectation(doc["expect"])
    return "see quote"
