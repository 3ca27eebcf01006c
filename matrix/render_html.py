"""The matrix as one self-contained HTML page.

Rules of this module:
- Every string from a probe or a results file is escaped with ``html.escape``
  where it is written into markup, and reaches the script only inside a JSON
  block whose ``<``, ``>`` and ``&`` are \\u-escaped, where the script puts it
  on the page with ``textContent`` (never ``innerHTML``).
- Nothing is fetched: CSS and JS are inline, and a Content-Security-Policy
  allows no network at all and only the page's own script (by its hash), so
  even an injected handler could not run.
- Only https URLs of plain characters become links (matrix._present.safe_url).
- Invisible and direction-changing characters are shown visibly and long
  strings capped (matrix._text.shown) before escaping, in markup and data alike.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any

from matrix._html_assets import CSS, SCRIPT
from matrix._present import (
    FLAG_LEGEND,
    FLAG_SYMBOLS,
    cell_text,
    differing_text,
    documented_text,
    headline,
    safe_url,
    source_url,
)
from matrix._text import CELL_LIMIT, TEXT_LIMIT, shown, shown_json
from matrix.merge import ROW_FILTERS, Cell, Column, Matrix, Row

PALETTE = ["#cfe8ff", "#ffd9b3", "#d5f5d0", "#f4d0f5", "#fff3b0", "#d0f0f0", "#f5d0d0", "#e0d8ff"]


def e(text: object, limit: int = TEXT_LIMIT) -> str:
    return html.escape(shown(text, limit), quote=True)


def _link(text: str, url: str | None) -> str:
    target = safe_url(url) if url else None
    if target is None:
        return e(text)
    return f'<a href="{e(target)}" rel="noopener noreferrer">{e(text)}</a>'


def _header(column: Column) -> str:
    tooltip = (
        "documentation only: no run on this platform"
        if column.documented_only
        else f"key {column.key}; sockmatrix {column.tool_version}; run {column.started}"
        + (
            f"; image {column.source.get('image_os')} {column.source.get('image_version')}"
            if column.source.get("image_os")
            else ""
        )
        + ("; interrupted run" if not column.complete else "")
    )
    label = _link(column.label, column.source.get("run_url"))
    return f'<th scope="col" data-col="{e(column.key)}" title="{e(tooltip)}">{label}</th>'


def _flag(symbol: str, cell: Cell) -> str:
    title = FLAG_LEGEND.get(symbol, symbol)
    if symbol != FLAG_SYMBOLS["differs from documentation"]:
        return f'<span class="flag" title="{e(title)}">{e(symbol)}</span>'
    # Name the documentation contradicted, and link it when it is a URL.
    doc = cell.documented or {}
    contradicted = ", ".join(cell.contradicts)
    title = f'{title} ({contradicted}): "{doc.get("quote", "")}" ({doc.get("source", "")})'
    link = source_url(str(doc.get("source", "")))
    if link is None:
        return f'<span class="flag" title="{e(title)}">{e(symbol)}</span>'
    return (
        f'<a class="flag" href="{e(link)}" rel="noopener noreferrer" title="{e(title)}">'
        f"{e(symbol)}</a>"
    )


def _cell(cell: Cell, row: Row, column: Column, colours: dict[str, str]) -> str:
    col = f'data-col="{e(column.key)}"'
    if cell.kind == "missing":
        return f'<td class="missing" {col}>—</td>'
    if cell.kind == "documented":
        doc = cell.documented or {}
        source = str(doc.get("source", ""))
        title = f"{doc.get('quote', '')} — {source}"
        link = source_url(source)
        more = f' <a href="{e(link)}" rel="noopener noreferrer">source</a>' if link else ""
        return (
            f'<td class="documented" {col} title="{e(title)}">documented: '
            f"{e(documented_text(cell), CELL_LIMIT)}{more}</td>"
        )
    flags = "".join(_flag(symbol, cell) for symbol in cell_text(cell).split()[1:])
    verdict = cell.verdict or cell.status or ""
    if cell.verdicts_seen:
        verdict = "unstable: " + " / ".join(cell.verdicts_seen)
    if cell.mark:
        # The cell says what differs; the full verdict is the tooltip, and a click
        # opens the row's details.
        style = f' style="background:{colours[cell.mark]}"'
        parts = differing_text(cell, row)
        # One differing part per line: "step: outcome" reads down the column.
        shown_parts = (
            '<span class="parts">'
            + "".join(f"<span>{e(part)}</span>" for part in shown(parts, CELL_LIMIT).split(" · "))
            + "</span>"
            if parts
            else ""
        )
        return (
            f'<td class="mark" {col}{style} title="{e(verdict)}">{e(cell.mark)}{flags}'
            f"{shown_parts}</td>"
        )
    return f'<td class="status" {col} title="{e(verdict)}">{e(cell.status)}{flags}</td>'


def _row(index: int, row: Row, columns: list[Column]) -> str:
    colours = {mark: PALETTE[i % len(PALETTE)] for i, mark in enumerate(row.legend)}
    legend = "".join(
        f'<div><b style="background:{colours[m]}">{e(m)}</b> {e(v, CELL_LIMIT)}</div>'
        for m, v in row.legend.items()
    )
    cells = "".join(_cell(row.cells[c.key], row, c, colours) for c in columns)
    differs = " ".join(
        word
        for word, on in (
            ("yes", row.differs),
            ("≠doc", row.contradicts),
            ("documented", row.documented_differs),
        )
        if on
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


def _observations_json(observations: list[dict[str, Any]]) -> str:
    """A record's observations as JSON for the details. Fast path: the record as it
    is (one C-speed dump; invisible characters are made visible over the whole
    block by _json_block). Only when the dump is longer than one string may be is
    it rebuilt field by field, each string capped."""
    text = json.dumps(observations, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= TEXT_LIMIT:
        return text
    rebuilt = []
    for obs in observations:
        error = obs.get("error") or {}
        rebuilt.append(
            {
                "name": _t(obs.get("name")),
                "outcome": _t(obs.get("outcome")),
                "summary": _t(obs.get("summary")),
                "error": {key: _t(error.get(key)) for key in ("exception", "name", "portable")},
                "elapsed": obs.get("elapsed") if isinstance(obs.get("elapsed"), float) else None,
                "timing": _t(obs.get("timing")),
            }
        )
    return json.dumps(rebuilt, ensure_ascii=False, separators=(",", ":"))


def _details_of(row: Row, columns: list[Column]) -> str:
    """One row's details as JSON, embedded as its own block and parsed only when opened."""
    platforms = []
    for column in columns:
        cell = row.cells[column.key]
        if cell.kind != "observed":
            continue
        record = cell.record or {}
        verdict = cell.verdict or cell.status
        if cell.verdicts_seen:
            verdict = "unstable: " + " / ".join(cell.verdicts_seen)
        head = {
            "label": _t(column.label),
            "verdict": _t(verdict),
            "flags": cell.flags,
            "reason": _t(record.get("reason")),
        }
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
        observations = _observations_json(record.get("observations", []))
        platforms.append(f'{text[:-1]},"observations":{observations}}}')
    head = {
        "id": _t(row.id),
        "question": _t(row.question),
        "sources": [_t(s) for s in row.sources],
        "documented": [
            {"family": _t(f), "source": _t(d.get("source")), "quote": _t(d.get("quote"))}
            for f, d in row.documented.items()
        ],
    }
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return f'{text[:-1]},"platforms":[{",".join(platforms)}]}}'


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


def render_html(matrix: Matrix) -> str:
    tags = sorted({t for row in matrix.rows for t in row.tags})
    script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
    csp = (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
        "img-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
    )
    platform_boxes = "".join(
        f'<label><input type="checkbox" class="platform" value="{e(c.key)}" checked> '
        f"{e(c.label)}</label> "
        for c in matrix.columns
    )
    tag_options = "".join(f'<option value="{e(t)}">{e(t)}</option>' for t in tags)
    flags = "".join(f"<li><b>{e(s)}</b> {e(t)}</li>" for s, t in FLAG_LEGEND.items())
    data = "\n".join(
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
<th class="sortable" data-sort="differs" scope="col">Differs</th>
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
<i>Differs</i>: yes = observed platforms differ; ≠doc = an observation contradicts
its platform's documentation; documented = only documentation says platforms differ.</p>
<ul>{flags}</ul>
{data}
<script>{SCRIPT}</script>
</body>
</html>
"""
