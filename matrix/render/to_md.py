"""The matrix as GitHub Markdown: README, results/MATRIX.md, job summaries.

Every string from a probe or a results file goes through :func:`md`, which
makes it inert text: HTML is escaped, Markdown punctuation is backslashed and
newlines are folded, so no title can add a link, a tag or a table column; and
what GitHub would turn into a link by itself is broken up: bare URLs
(``http://``, ``https://``, ``www.``: cmark-gfm's autolink extension), e-mail
addresses, ``@user`` and ``@org/team`` mentions and ``#123`` references (GitHub's
own filters). Only a probe's sources, a prose entry's source, a cited line (built
from its plain repository, commit, path and line: matrix.language.evidence), a
bite's issue and a run's URL become links, through :func:`link`, and only https
ones.
GitHub job summaries take at most 1 MiB, so details shrink to fit:
per platform, then one platform per verdict, then only rows that differ,
then none.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from matrix.language.evidence import citation_url, quote_lines
from matrix.language.runtimes import EFFECTS, RUNTIMES
from matrix.render.present import (
    FLAG_LEGEND,
    FLAG_SYMBOLS,
    cell_text,
    contradiction_symbols,
    contradiction_url,
    differing_text,
    documented_text,
    evidence_checked,
    evidence_kind,
    evidence_source,
    evidence_url,
    header_label,
    headline,
    safe_url,
    source_url,
)
from matrix.render.run_report import describe_error
from matrix.render.safe_text import CELL_LIMIT, TEXT_LIMIT, shown
from matrix.table.merge import Cell, Column, Matrix, Row, api_differences
from matrix.table.model import CONTRADICTION_FLAGS
from matrix.table.nogc import without_gc

SUMMARY_LIMIT = 1024 * 1024
DETAIL_LEVELS = ("full", "grouped", "differences", "none")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#~!])")
# cmark-gfm's autolink extension starts a URL at the ':' of "http://", "https://"
# or "ftp://" and at "www." (an escaped ':' or '.' is not one); it finds e-mail
# addresses, and GitHub mentions and issue references, in the text after
# parsing, where only a character between the parts stops them. Dependabot's
# pull requests put a zero-width space after '@' for the same reason.
_URL_SCHEME = re.compile(r"(?<=[A-Za-z]):(?=/)")
_WWW = re.compile(r"\b(www)\.", re.IGNORECASE)
_AFTER_AT_OR_HASH = re.compile(r"(@|\\#)(?=\w)")
_BREAK = "&#8203;"


def md(text: object, limit: int = TEXT_LIMIT) -> str:
    """Any string as inert Markdown text, safe inside a table cell: invisible
    characters shown (see matrix.render.safe_text), capped, HTML escaped, newlines
    folded, Markdown punctuation backslashed, autolinks and mentions broken up."""
    escaped = html.escape(" ".join(shown(text, limit).split()), quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    if ":" in escaped:
        escaped = _URL_SCHEME.sub(r"\\:", escaped)
    if "w" in escaped or "W" in escaped:
        escaped = _WWW.sub(r"\1\\.", escaped)
    if "@" in escaped or "#" in escaped:
        escaped = _AFTER_AT_OR_HASH.sub(r"\1" + _BREAK, escaped)
    return escaped


def link(text: str, url: str | None) -> str:
    target = safe_url(url) if url else None
    return f"[{md(text)}]({target})" if target else md(text)


def _anchor(row: Row) -> str:
    return "probe-" + re.sub(r"[^a-z0-9-]", "", row.id)


def _header(column: Column) -> str:
    return link(header_label(column.label), column.source.get("run_url"))


def _cell(cell: Cell, row: Row, details: str) -> str:
    """One cell: the mark, its flags and the parts of the verdict that differ from
    the row's other platforms; ``details`` links the row's details."""
    if cell.kind == "documented":
        source = safe_url(evidence_url(cell.documented or {}) or "")
        text = f"*documented:* {md(documented_text(cell), CELL_LIMIT)}"
        return f"{text} [source]({source})" if source else text
    text = md(cell_text(cell))
    parts = differing_text(cell, row)
    for flag in CONTRADICTION_FLAGS.values():
        if flag in cell.flags:
            # The flag links the entry it contradicts (or the quote, in the details).
            target = safe_url(contradiction_url(cell, flag) or "") or details
            symbol = md(FLAG_SYMBOLS[flag])
            text = text.replace(symbol, f"[{symbol}]({target})")
    if not cell.mark:
        return text
    return f"**{text}** {md(parts, CELL_LIMIT)}" if parts else f"**{text}**"


def summary_table(matrix: Matrix, details_in: str = "") -> str:
    """The table itself; row titles link to ``details_in`` + ``#probe-<id>``."""
    lines = [
        f"**{headline(matrix)}**",
        "",
        "| Probe | Differs | " + " | ".join(_header(c) for c in matrix.columns) + " | Verdicts |",
        "|---|---|" + "---|" * len(matrix.columns) + "---|",
    ]
    for row in matrix.rows:
        cells = " | ".join(
            _cell(row.cells[c.key], row, f"{details_in}#{_anchor(row)}") for c in matrix.columns
        )
        legend = "<br>".join(
            f"**{mark}** {md(verdict, CELL_LIMIT)}" for mark, verdict in row.legend.items()
        )
        differs = _differs(row)
        lines.append(
            f"| [{md(row.title)}]({details_in}#{_anchor(row)}) | {differs} | {cells} | {legend} |"
        )
    lines += ["", _legend(matrix), "", _platforms(matrix)]
    if matrix.skipped:
        lines += ["", f"**{len(matrix.skipped)} results file(s) could not be used:**", ""]
        lines += [f"- `{md(s.file)}`: {md(s.reason)}" for s in matrix.skipped]
    return "\n".join(lines) + "\n"


def _differs(row: Row) -> str:
    words = []
    if row.differs:
        words.append("**yes**")
    words += contradiction_symbols(row)
    if row.documented_differs:
        words.append("*documented*")
    return " ".join(words)


def _legend(matrix: Matrix) -> str:
    used = {
        s
        for row in matrix.rows
        for cell in row.cells.values()
        for s in cell_text(cell).split()
        if s in FLAG_LEGEND
    }
    parts = [
        "Within a row, cells with the same letter observed the same verdict; where platforms "
        "differ, each cell shows only the parts of its verdict that differ from the others "
        "(the full verdicts are listed under *Verdicts*). *documented* cells are what a "
        "source says, for a platform with no observation: not measured. — means neither. "
        "*Differs*: **yes** observed platforms differ; ≠doc, ≠test, ≠spec an observation "
        "contradicts its platform's documentation, a conformance test (stronger than "
        "documentation) or a specification rule (checked against the OS version it names); "
        "*documented* only documentation says platforms differ."
    ]
    parts += [
        f"{md(symbol)}: {md(text)}." for symbol, text in FLAG_LEGEND.items() if symbol in used
    ]
    return " ".join(parts)


def _platforms(matrix: Matrix) -> str:
    lines = ["Platforms:", ""]
    for column in matrix.columns:
        if column.documented_only:
            continue
        facts = [f"sockmatrix {md(column.tool_version)}", f"run {md(column.started)}"]
        if column.stack_label:
            facts.insert(0, md(column.stack_label))
        for key in ("image_os", "image_version", "commit"):
            if column.source.get(key):
                facts.append(f"{key.replace('_', ' ')} {md(column.source[key])}")
        if not column.complete:
            facts.append("**interrupted run**")
        run = safe_url(column.source.get("run_url", ""))
        if run:
            facts.append(f"[CI run]({run})")
        lines.append(f"- **{md(column.label)}** (`{md(column.key)}`): " + ", ".join(facts))
    return "\n".join(lines)


def _observations(record: Mapping[str, Any]) -> list[str]:
    lines = ["| step | outcome | summary | error | elapsed | timing |", "|---|---|---|---|---|---|"]
    for obs in record.get("observations", []):
        elapsed = obs.get("elapsed")
        elapsed_text = f"{elapsed:.3f} s" if isinstance(elapsed, (int, float)) else ""
        lines.append(
            f"| {md(obs.get('name', ''))} | {md(obs.get('outcome', ''))} | "
            f"{md(obs.get('summary', ''))} | {md(describe_error(obs.get('error')))} | "
            f"{elapsed_text} | {md(obs.get('timing', ''))} |"
        )
    if record.get("reason"):
        lines.append(f"\nReason: {md(record['reason'])}")
    return lines


def _details(row: Row, columns: list[Column], level: str) -> str:
    lines = [
        f'<a id="{_anchor(row)}"></a>',
        "<details>",
        f"<summary>{md(row.title)} (<code>{md(row.id)}</code>)</summary>",
        "",
        md(row.question),
        "",
        "Tags: " + ", ".join(md(t) for t in row.tags),
        "",
        "Sources:",
        "",
    ]
    lines += [f"- {link(s, source_url(s))}" for s in row.sources]
    for family, entries in row.documented.items():
        for entry in entries:
            lines += ["", f"{_evidence(family, entry)}:", "", f"> {_quote(entry)}"]
    lines += _runtimes(row)
    observed = [c for c in columns if row.cells[c.key].kind == "observed"]
    shown: set[str] = set()
    for column in observed:
        cell = row.cells[column.key]
        record: Mapping[str, Any] = cell.record or {}
        if level == "grouped":
            group = cell.mark or str(cell.status)
            if group in shown:
                continue
            shown.add(group)
            same = [
                c.label
                for c in observed
                if (row.cells[c.key].mark or str(row.cells[c.key].status)) == group
            ]
            title = f"{md(group)} on " + ", ".join(md(label) for label in same)
        else:
            title = md(column.label)
        verdict = md(cell.verdict or cell.status)
        lines += ["", f"**{title}**: {verdict}"]
        if cell.verdicts_seen:
            lines.append(
                "Verdicts across re-runs: " + " / ".join(md(v) for v in cell.verdicts_seen)
            )
        if cell.contradicts:
            lines.append(
                "Differs from documentation in: " + ", ".join(md(c) for c in cell.contradicts)
            )
        lines += ["", *_observations(record)]
    for native, python in api_differences(row, columns):
        lines += [
            "",
            f"CPython's socket module changes this on {md(native.label)}: the OS says "
            f"{md(row.cells[native.key].verdict)}; Python programs see "
            f"{md(row.cells[python.key].verdict)}.",
        ]
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def _evidence(family: str, entry: Mapping[str, Any]) -> str:
    """The heading of a documented entry: its kind in words, the family in bold, and
    its source linked at the cited line (or the source's own https URL)."""
    return (
        f"{md(evidence_kind(entry))} for **{md(family)}**{md(evidence_checked(entry))} "
        f"({link(evidence_source(entry), evidence_url(entry))})"
    )


def _quote(entry: Mapping[str, Any]) -> str:
    """A quote as one blockquote line; a cited line's quote keeps its line breaks."""
    quote = str(entry.get("quote", ""))
    if citation_url(entry) is None:
        return md(quote)
    return "<br>".join(md(line) for line in quote_lines(quote))


def _runtimes(row: Row) -> list[str]:
    if not row.runtimes:
        return []
    lines = ["", "Runtimes that hide or state this difference:", ""]
    for entry in row.runtimes:
        name = RUNTIMES.get(entry["runtime"], entry["runtime"])
        effect = f"{entry['effect']} ({EFFECTS.get(entry['effect'], '')})"
        lines += [
            f"- **{md(name)}** {md(effect)}: {md(entry['says'])} "
            f"({link(entry['source'], citation_url(entry))})",
            "",
            f"  > {_quote(entry)}",
            "",
        ]
    return lines[:-1]


@without_gc
def render_markdown(matrix: Matrix, limit: int = SUMMARY_LIMIT, details: str = "auto") -> str:
    """The whole document; with ``details='auto'`` the most detail that fits ``limit``."""
    head = "<!-- generated by `sockmatrix table`: do not edit by hand -->\n\n"
    table = summary_table(matrix)
    base = len(head.encode("utf-8")) + len(table.encode("utf-8"))
    levels = DETAIL_LEVELS if details == "auto" else (details,)
    for level in levels:
        if level == "none":
            break
        note = {
            "full": "",
            "grouped": "\n*Details were shortened to fit the size limit: one platform per "
            "verdict.*\n",
            "differences": "\n*Details were shortened to fit the size limit: only rows where "
            "platforms differ.*\n",
        }[level]
        parts = ["\n## Details\n", note, "\n"]
        size = base + sum(len(p.encode("utf-8")) for p in parts)
        fits = True
        for row in matrix.rows:
            if level == "differences" and not row.differs:
                continue
            part = _details(row, matrix.columns, "full" if level == "full" else "grouped")
            size += len(part.encode("utf-8"))
            if details == "auto" and size > limit:
                fits = False  # stop rendering this level as soon as it cannot fit
                break
            parts.append(part)
        if fits:
            return head + table + "".join(parts)
    return head + table


def replace_between(text: str, marker: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- BEGIN {marker} -->\n).*?(<!-- END {marker} -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"markers for {marker} not found")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)
