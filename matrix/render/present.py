"""How a cell reads, shared by every output format.

Renderers decide markup and escaping; this module decides the words, so the
Markdown, HTML, JSON and terminal tables always say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from matrix.language.evidence import (
    CONFORMANCE_KINDS,
    citation_url,
    cited_at,
    has_citation,
    kind_of,
)
from matrix.language.probe_types import Documented, Expectation
from matrix.table.merge import Cell, Matrix, Row
from matrix.table.model import CONTRADICTION_FLAGS


def describe_expectation(expect: dict[str, Expectation]) -> str:
    parts = []
    for name, fields in expect.items():
        text = fields.get("error") or fields.get("summary") or fields.get("outcome", "")
        if "timing" in fields:
            text = f"{text} ({fields['timing']})" if text else fields["timing"]
        parts.append(f"{name}: {text}")
    return " · ".join(parts)


FLAG_SYMBOLS = {
    "unstable": "~",
    "stale": "†",
    "differs from a conformance test": "≠test",
    "differs from a specification rule": "≠spec",
    "differs from documentation": "≠doc",
    "not in library": "?",
    "incomplete run": "…",
}
FLAG_LEGEND = {
    "~": "unstable: re-runs on this platform gave different verdicts",
    "†": "stale: written by another sockmatrix version or for an older probe file",
    "≠test": "differs from a conformance test: the observation contradicts what a "
    "conformance test asserts on that OS (stronger than documentation)",
    "≠spec": "differs from a specification rule: the observation contradicts a rule "
    "checked against the OS version it names",
    "≠doc": "differs from documentation: the observation contradicts the documented expectation",
    "?": "the probe is no longer in the library",
    "…": "from a run that was interrupted",
}
# Only https links, and only characters that mean nothing to Markdown or HTML:
# no parentheses (they end a Markdown link and can start an image or a second
# link), no | (splits a GFM table row even inside a link), no brackets, quotes,
# angle brackets, backslashes or whitespace. Anything else is shown as text.
_URL_CHARS = r"[A-Za-z0-9\-._~_!$&*+,;=:@/?#%]"
_SAFE_URL = re.compile(rf"https://[A-Za-z0-9.\-]+(?::[0-9]{{1,5}})?(?:[/?#]{_URL_CHARS}*)?")
_URL_IN_TEXT = re.compile(rf"https://{_URL_CHARS}+")
MAX_URL = 2000


def safe_url(text: str) -> str | None:
    """``text`` if it is a plain https URL that may be linked, else None."""
    if len(text) > MAX_URL or not _SAFE_URL.fullmatch(text):
        return None
    return text


def source_url(text: str) -> str | None:
    """The first https URL inside a source reference, if any (trailing punctuation
    of the sentence around it is not part of it)."""
    match = _URL_IN_TEXT.search(text)
    return safe_url(match.group(0).rstrip(".,;:!?")) if match else None


# A platform's name in a table header: the fields of a results file are long
# enough (platform.os may hold 4,096 characters) to make a header taller than
# the page; the header shows this much, the full name is one hover away.
HEADER_LIMIT = 60


def header_label(label: str) -> str:
    """``label`` as a column header shows it: at most HEADER_LIMIT characters."""
    return label if len(label) <= HEADER_LIMIT else label[: HEADER_LIMIT - 1] + "…"


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


# How each kind of documented entry (matrix.language.evidence.KINDS) is named:
# in a sentence, and as a tag after an expectation in a cell.
KIND_WORDS = {
    "test": "asserted by a conformance test",
    "rule": "specified by a rule",
    "prose": "documented",
}
KIND_TAGS = {"test": "test", "rule": "rule", "prose": "doc"}


def evidence_url(entry: Mapping[str, Any]) -> str | None:
    """The link of an entry: the cited line of an entry that cites one (a conformance
    entry always does), built only from plain fields; else, for prose, the first
    plain https URL of its source, as for a probe's sources. Nothing else in an
    entry (quote, kind, a citation that is not plain) ever becomes a link."""
    if has_citation(entry) or kind_of(entry) in CONFORMANCE_KINDS:
        return citation_url(entry)
    return source_url(str(entry.get("source", "")))


def evidence_kind(entry: Mapping[str, Any]) -> str:
    """``Asserted by a conformance test``, ``Specified by a rule``, ``Documented``."""
    return KIND_WORDS[kind_of(entry)].capitalize()


def evidence_checked(entry: Mapping[str, Any]) -> str:
    """``, checked against Linux 2.4.20-8`` for a rule that names its OS version."""
    version = entry.get("os_version")
    return f", checked against {version}" if kind_of(entry) == "rule" and version else ""


def evidence_source(entry: Mapping[str, Any]) -> str:
    """The source in words, and where its cited line is."""
    where = cited_at(entry)
    return str(entry.get("source", "")) + (f" ({where})" if where else "")


def evidence_heading(family: str, entry: Mapping[str, Any]) -> str:
    """``Asserted by a conformance test for windows: …`` and the like."""
    return f"{evidence_kind(entry)} for {family}{evidence_checked(entry)}: {evidence_source(entry)}"


def _tag(entry: Documented) -> str:
    kind = kind_of(entry)
    version = entry.get("os_version")
    return f"{KIND_TAGS[kind]}, {version}" if kind == "rule" and version else KIND_TAGS[kind]


def documented_text(cell: Cell) -> str:
    """What the family's entries expect, each expectation once, tagged with the
    kinds of entry that say it when any is not prose (strongest first)."""
    said: dict[str, list[str]] = {}
    for entry in cell.evidence:
        if entry.get("expect"):
            tags = said.setdefault(describe_expectation(entry["expect"]), [])
            if _tag(entry) not in tags:
                tags.append(_tag(entry))
    if not said:
        return "see quote"
    if all(tags == [KIND_TAGS["prose"]] for tags in said.values()):
        return " / ".join(said)
    return " / ".join(f"{text} [{'; '.join(tags)}]" for text, tags in said.items())


def contradiction_url(cell: Cell, flag: str) -> str | None:
    """The link of the first entry with a link whose contradiction raised ``flag``."""
    for contradiction in cell.contradictions:
        if CONTRADICTION_FLAGS.get(contradiction.kind) == flag:
            url = evidence_url(contradiction.entry)
            if url:
                return url
    return None


def differing_text(cell: Cell, row: Row) -> str:
    """The parts of an observed cell's verdict that differ from the row's other
    platforms ("" when the row does not differ or the cell has no verdict)."""
    if not cell.mark or not row.differs:
        return ""
    return row.distinct.get(cell.mark, "")


def headline(matrix: Matrix) -> str:
    """The counts a reader needs first, each kept apart: measured differences,
    contradicted documentation, and differences only documentation claims."""
    counts = matrix.counts()
    observed = sum(not c.documented_only for c in matrix.columns)
    return (
        f"{len(matrix.rows)} probes · {observed} platform(s) observed · "
        f"{counts['differs']} row(s) where observed platforms differ · "
        f"{counts['contradicts']} where an observation contradicts its documentation · "
        f"{counts['documented']} where only documentation says platforms differ"
    )


def contradiction_symbols(row: Row) -> list[str]:
    """The contradiction flags of a row's cells, each once, strongest kind first."""
    flags = {flag for cell in row.cells.values() for flag in cell.flags}
    return [FLAG_SYMBOLS[f] for f in CONTRADICTION_FLAGS.values() if f in flags]
