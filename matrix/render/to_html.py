"""The matrix as one self-contained HTML page.

Rules of this module:
- Every string from a probe or a results file is escaped with ``html.escape``
  where it is written into markup, and reaches the script only inside a JSON
  block whose ``<``, ``>`` and ``&`` are \\u-escaped, where the script puts it
  on the page with ``textContent`` (never ``innerHTML``).
- Nothing is fetched: CSS and JS are inline, and a Content-Security-Policy
  allows no network at all and only the page's own script (by its hash), so
  even an injected handler could not run.
- Only https URLs of plain characters become links (matrix.render.present.safe_url).
- Invisible and direction-changing characters are shown visibly and long
  strings capped (matrix.render.safe_text.shown) before escaping, in markup and data alike.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Mapping
from typing import Any

from matrix.engine.observation_types import ExceptionInfo, Observation
from matrix.language.evidence import citation_url
from matrix.language.runtimes import EFFECTS, RUNTIMES
from matrix.render.html_assets import CSS, SCRIPT
from matrix.render.present import (
    FLAG_LEGEND,
    FLAG_SYMBOLS,
    cell_text,
    contradiction_symbols,
    contradiction_url,
    documented_text,
    evidence_checked,
    evidence_kind,
    evidence_source,
    evidence_url,
    header_label,
    headline,
    safe_url,
)
from matrix.render.safe_text import CELL_LIMIT, TEXT_LIMIT, shown, shown_json
from matrix.table.merge import ROW_FILTERS, Cell, Column, Matrix, Row
from matrix.table.model import CONTRADICTION_FLAGS
from matrix.table.nogc import without_gc

# Each row's marks take colours k0, k1, … (CSS classes in _html_assets): a class per
# cell instead of a style attribute keeps a 230,000-cell page smaller.
PALETTE_SIZE = 8


def e(text: object, limit: int = TEXT_LIMIT) -> str:
    return html.escape(shown(text, limit), quote=True)


def _link(text: str, url: str | None) -> str:
    target = safe_url(url) if url else None
    if target is None:
        return e(text)
    return f'<a href="{e(target)}" rel="noopener noreferrer">{e(text)}</a>'


def _header(column: Column) -> str:
    """A column's header: its name cut to HEADER_LIMIT, the whole of it on hover."""
    tooltip = (
        "documentation only: no run on this platform"
        if column.documented_only
        else f"{column.label}; key {column.key}; sockmatrix {column.tool_version}; "
        f"run {column.started}"
        + (
            f"; image {column.source.get('image_os')} {column.source.get('image_version')}"
            if column.source.get("image_os")
            else ""
        )
        + ("; interrupted run" if not column.complete else "")
    )
    label = _link(header_label(column.label), column.source.get("run_url"))
    return f'<th scope="col" data-col="{e(column.key)}" title="{e(tooltip)}">{label}</th>'


_SIMPLE_FLAGS = {
    symbol: f'<span class="flag" title="{html.escape(title)}">{html.escape(symbol)}</span>'
    for symbol, title in FLAG_LEGEND.items()
}


_CONTRADICTION_BY_SYMBOL = {FLAG_SYMBOLS[flag]: flag for flag in CONTRADICTION_FLAGS.values()}


def _flag(symbol: str, cell: Cell) -> str:
    flag = _CONTRADICTION_BY_SYMBOL.get(symbol)
    if flag is None and symbol in _SIMPLE_FLAGS:
        return _SIMPLE_FLAGS[symbol]
    title = FLAG_LEGEND.get(symbol, symbol)
    # Name the entries contradicted, and link the first when it has a link.
    said = [
        f'({", ".join(c.steps)}): "{c.entry.get("quote", "")}" ({evidence_source(c.entry)})'
        for c in cell.contradictions
        if CONTRADICTION_FLAGS.get(c.kind) == flag
    ]
    title = f"{title} " + "; ".join(said)
    link = safe_url(contradiction_url(cell, flag) or "") if flag else None
    if link is None:
        return f'<span class="flag" title="{e(title)}">{e(symbol)}</span>'
    return (
        f'<a class="flag" href="{e(link)}" rel="noopener noreferrer" title="{e(title)}">'
        f"{e(symbol)}</a>"
    )


def _mark_cells(row: Row) -> dict[str, tuple[str, str]]:
    """Per mark of a row, the cell's class and its text: built once per distinct
    verdict, not once per platform (big matrices share few verdicts). The full
    verdict is not repeated in every cell: the script shows it on hover, from the
    row's legend."""
    built = {}
    for n, mark in enumerate(row.legend):
        parts = row.distinct.get(mark, "") if row.differs else ""
        # One differing part per line: "step: outcome" reads down the column.
        shown_parts = (
            '<span class="parts">'
            + "".join(f"<span>{e(part)}</span>" for part in shown(parts, CELL_LIMIT).split(" · "))
            + "</span>"
            if parts
            else ""
        )
        built[mark] = (f' class="mark k{n % PALETTE_SIZE}"', shown_parts)
    return built


def _cell(cell: Cell, marks: dict[str, tuple[str, str]]) -> str:
    """One cell. No per-cell column attribute: the script finds a column by position."""
    if cell.kind == "missing":
        return '<td class="missing">—</td>'
    if cell.kind == "documented":
        doc: Mapping[str, Any] = cell.documented or {}
        title = " | ".join(
            f"{evidence_kind(entry)}{evidence_checked(entry)}: {entry.get('quote', '')} — "
            f"{evidence_source(entry)}"
            for entry in cell.evidence
        )
        link = safe_url(evidence_url(doc) or "")
        more = f' <a href="{e(link)}" rel="noopener noreferrer">source</a>' if link else ""
        return (
            f'<td class="documented" title="{e(title)}">documented: '
            f"{e(documented_text(cell), CELL_LIMIT)}{more}</td>"
        )
    flags = (
        "".join(_flag(symbol, cell) for symbol in cell_text(cell).split()[1:]) if cell.flags else ""
    )
    if cell.mark:
        # The cell says what differs; hover shows the full verdict (the script takes
        # it from the legend, or this cell's title when re-runs disagreed), and a
        # click opens the row's details.
        attributes, parts = marks[cell.mark]
        if cell.verdicts_seen:
            unstable = "unstable: " + " / ".join(cell.verdicts_seen)
            attributes += f' title="{e(unstable)}"'
        return f"<td{attributes}>{e(cell.mark)}{flags}{parts}</td>"
    verdict = cell.verdict or cell.status or ""
    return f'<td class="status" title="{e(verdict)}">{e(cell.status)}{flags}</td>'


def _row(index: int, row: Row, columns: list[Column]) -> str:
    legend = "".join(
        f'<div data-mark="{e(m)}"><b class="k{n % PALETTE_SIZE}">{e(m)}</b> '
        f"<span>{e(v, CELL_LIMIT)}</span></div>"
        for n, (m, v) in enumerate(row.legend.items())
    )
    marks = _mark_cells(row)
    cells = "".join(_cell(row.cells[c.key], marks) for c in columns)
    differs = " ".join(
        [
            *(["yes"] if row.differs else []),
            *contradiction_symbols(row),
            # Two short words, not "documented": the column stays narrow on a phone.
            *(["doc only"] if row.documented_differs else []),
        ]
    )
    return (
        f'<tr class="probe-row{" differs" if row.differs else ""}" data-index="{index}" '
        f'data-id="{e(row.id, CELL_LIMIT)}" data-title="{e(row.title.lower(), CELL_LIMIT)}" '
        f'data-differs="{int(row.differs)}" data-contradicts="{int(row.contradicts)}" '
        f'data-documented="{int(row.documented_differs)}" '
        f'data-tags="{e(" ".join(row.tags), CELL_LIMIT)}">'
        f'<td class="probe"><span title="{e(row.question)}">{e(row.title, CELL_LIMIT)}</span>'
        f"<br><code>{e(row.id, CELL_LIMIT)}</code> "
        f'<button class="details" data-index="{index}">details</button></td>'
        f'<td class="differs-cell">{differs}</td>{cells}'
        f'<td class="legend-cell">{legend}</td></tr>'
    )


def _t(value: Any) -> Any:
    """A string for the details data: shown visibly and capped, like markup text."""
    return shown(value) if isinstance(value, str) else value


_NO_ERROR: ExceptionInfo = {}


def _step(obs: Observation) -> tuple[Any, ...]:
    """A step as the details table shows it, without its elapsed time: platforms
    that did the same share one entry of the row's step list."""
    error = obs.get("error") or _NO_ERROR
    return (
        obs.get("name"),
        obs.get("outcome"),
        obs.get("summary"),
        error.get("exception"),
        error.get("name"),
        error.get("portable"),
        obs.get("timing"),
    )


def _details_value(row: Row, columns: list[Column], safe: Any) -> dict[str, Any]:
    """One row's details; ``safe`` is applied to every string (identity on the fast
    path). Kept small: a platform is its column's index in the page's label list,
    its verdict its mark in the row's legend unless it has no mark, and its steps
    indices into the row's list of distinct steps ("s") with their elapsed times
    ("e") apart, so 100 platforms that did the same store it once."""
    platforms = []
    steps: dict[tuple[Any, ...], int] = {}
    for index, column in enumerate(columns):
        cell = row.cells[column.key]
        if cell.kind != "observed":
            continue
        record: Mapping[str, Any] = cell.record or {}
        observations = record.get("observations", [])
        platform: dict[str, Any] = {
            "c": index,
            "o": [steps.setdefault(_step(obs), len(steps)) for obs in observations],
            "e": [safe(obs.get("elapsed")) for obs in observations],
        }
        if cell.verdicts_seen:
            platform["v"] = safe("unstable: " + " / ".join(cell.verdicts_seen))
        elif cell.mark:
            platform["m"] = cell.mark
        else:
            platform["v"] = safe(cell.verdict or cell.status)
        if cell.flags:
            platform["f"] = cell.flags
        if record.get("reason"):
            platform["r"] = safe(record["reason"])
        platforms.append(platform)
    return {
        "id": safe(row.id),
        "question": safe(row.question),
        "sources": [safe(s) for s in row.sources],
        "documented": [
            {
                "family": safe(f),
                "kind": safe(evidence_kind(d)),
                "checked": safe(evidence_checked(d)),
                "source": safe(evidence_source(d)),
                "url": safe(evidence_url(d)),
                "quote": safe(d.get("quote")),
            }
            for f, entries in row.documented.items()
            for d in entries
        ],
        "runtimes": [
            {
                "name": safe(RUNTIMES.get(r["runtime"], r["runtime"])),
                "effect": safe(f"{r['effect']} ({EFFECTS.get(r['effect'], '')})"),
                "says": safe(r.get("says")),
                "source": safe(evidence_source(r)),
                "url": safe(citation_url(r)),
                "quote": safe(r.get("quote")),
            }
            for r in row.runtimes
        ],
        "legend": {mark: safe(verdict) for mark, verdict in row.legend.items()},
        # json.dumps writes tuples as arrays; only the slow path rebuilds them.
        "steps": list(steps) if safe is _same else [[safe(v) for v in step] for step in steps],
        "platforms": platforms,
    }


def _same(value: Any) -> Any:
    return value


def _details_of(row: Row, columns: list[Column]) -> str:
    """One row's details as JSON, embedded as its own block and parsed only when opened.

    Fast path: the records as they are, in one C-speed dump; invisible characters
    are then made visible over the whole block (_json_block). It is taken only
    when no string in the dump can be longer than TEXT_LIMIT: no piece between
    quotes is, and no string holds an escaped quote. Otherwise every string is
    capped one by one."""
    text = json.dumps(_details_value(row, columns, _same), ensure_ascii=False)
    if '\\"' not in text and max(map(len, text.split('"'))) <= TEXT_LIMIT:
        return text
    return json.dumps(_details_value(row, columns, _t), ensure_ascii=False)


def _json_block(text: str) -> str:
    """JSON text made safe inside <script>: no raw invisible characters, and no <, >
    or & (so no </script> or comment can end the block)."""
    text = shown_json(text)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _filters(matrix: Matrix) -> str:
    counts = matrix.counts()
    options = "".join(
        f'<option value="{kind}">{e(text)} ({counts[kind]})</option>'
        for kind, text in ROW_FILTERS.items()
    )
    return (
        '<label>show <select id="row-filter"><option value="">all rows</option>'
        f"{options}</select></label>"
    )


@without_gc
def render_html(matrix: Matrix) -> str:
    matrix = matrix.differences_first()
    tags = sorted({t for row in matrix.rows for t in row.tags})
    script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
    csp = (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    platform_boxes = "".join(
        f'<label title="{e(c.label)}"><input type="checkbox" class="platform" '
        f'value="{e(c.key)}" checked> {e(header_label(c.label))}</label> '
        for c in matrix.columns
    )
    tag_options = "".join(f'<option value="{e(t)}">{e(t)}</option>' for t in tags)
    flags = "".join(f"<li><b>{e(s)}</b> {e(t)}</li>" for s, t in FLAG_LEGEND.items())
    labels = json.dumps([_t(c.label) for c in matrix.columns], ensure_ascii=False)
    data = f'<script type="application/json" id="labels">{_json_block(labels)}</script>\n'
    data += "\n".join(
        f'<script type="application/json" id="data-{i}">'
        f"{_json_block(_details_of(r, matrix.columns))}</script>"
        for i, r in enumerate(matrix.rows)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sockmatrix: socket behaviour across platforms</title>
<style>{CSS}</style>
</head>
<body>
<h1>Socket behaviour across platforms</h1>
<p class="headline" id="headline">{e(headline(matrix))}.
Generated by sockmatrix {e(matrix.tool_version)}.</p>
<div class="controls">
{_filters(matrix)}
<label>tag <select id="tag"><option value="">all</option>{tag_options}</select></label>
<details><summary>platforms ({len(matrix.columns)})</summary>{platform_boxes}</details>
</div>
<div class="scroll">
<table class="matrix" id="matrix">
<thead><tr><th class="sortable probe" data-sort="title" scope="col">Probe</th>
<th class="sortable differs-col" data-sort="differs" scope="col">Differs</th>
{"".join(_header(c) for c in matrix.columns)}<th scope="col">Verdicts</th></tr></thead>
<tbody>
{"".join(_row(i, r, matrix.columns) for i, r in enumerate(matrix.rows))}
</tbody>
</table>
</div>
<h2>Legend</h2>
<p>Within a row, cells with the same letter (and colour) observed the same verdict.
Where platforms differ, a cell shows only the parts of its verdict that differ from
the other platforms; hover for the full verdict, click for every step. The last
column lists each letter's full verdict. Striped italic cells are what a source
documents for a platform with no observation: not measured. — means neither.
<i>Differs</i>: yes = observed platforms differ; ≠doc, ≠test, ≠spec = an observation
contradicts its platform's documentation, a conformance test (stronger than documentation)
or a specification rule (checked against the OS version it names); doc only = only
documentation says platforms differ.</p>
<ul>{flags}</ul>
{data}
<script>{SCRIPT}</script>
</body>
</html>
"""
