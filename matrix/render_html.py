"""The matrix as one self-contained HTML page.

Rules of this module:
- Every string from a probe or a results file is escaped with ``html.escape``
  where it is written into markup, and reaches the script only inside a JSON
  block whose ``<``, ``>`` and ``&`` are \\u-escaped, where the script puts it
  on the page with ``textContent`` (never ``innerHTML``).
- Nothing is fetched: CSS and JS are inline, and a Content-Security-Policy
  allows no network at all and only the page's own script (by its hash), so
  even an injected handler could not run.
- Only http(s) URLs become links.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Any

from matrix._present import (
    FLAG_LEGEND,
    FLAG_SYMBOLS,
    cell_text,
    documented_text,
    safe_url,
    source_url,
)
from matrix.merge import Cell, Column, Matrix, Row

PALETTE = ["#cfe8ff", "#ffd9b3", "#d5f5d0", "#f4d0f5", "#fff3b0", "#d0f0f0", "#f5d0d0", "#e0d8ff"]

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
h1{font-size:1.4em}
.controls{display:flex;flex-wrap:wrap;gap:1em;align-items:center;margin:1em 0}
.controls fieldset{border:1px solid #ccc;padding:.3em .6em}
table.matrix{border-collapse:collapse}
.matrix th,.matrix td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top}
.matrix th{background:#f4f4f4;position:sticky;top:0}
.matrix th.sortable{cursor:pointer}
.matrix td.mark{text-align:center;font-weight:bold;min-width:3em}
.matrix td.documented{font-style:italic;color:#555;background:repeating-linear-gradient(
45deg,#fff,#fff 6px,#f3f3f3 6px,#f3f3f3 12px)}
.matrix td.missing{color:#aaa;text-align:center}
.matrix td.status{background:#fdd;text-align:center}
.flag{font-weight:normal;color:#a00;margin-left:.3em}
tr.differs td.probe{border-left:4px solid #d33}
.legend-cell{font-size:12px}
.legend-cell div{white-space:nowrap}
.hidden{display:none}
button.details{font-size:11px}
tr.detail-row td{background:#fafafa}
.detail h4{margin:.6em 0 .2em}
.detail table{border-collapse:collapse;font-size:12px}
.detail td,.detail th{border:1px solid #ddd;padding:2px 5px}
blockquote{margin:.3em 0 .3em 1em;padding-left:.6em;border-left:3px solid #ccc}
"""

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('matrix-data').textContent);
  var table = document.getElementById('matrix');
  var body = table.tBodies[0];
  var onlyDiff = document.getElementById('only-differences');
  var tagSelect = document.getElementById('tag');
  function rows() { return Array.prototype.slice.call(body.querySelectorAll('tr.probe-row')); }
  function applyRowFilters() {
    var tag = tagSelect.value;
    rows().forEach(function (tr) {
      var show = (!onlyDiff.checked || tr.dataset.differs === '1') &&
        (tag === '' || (' ' + tr.dataset.tags + ' ').indexOf(' ' + tag + ' ') >= 0);
      tr.classList.toggle('hidden', !show);
      var detail = document.getElementById('detail-' + tr.dataset.index);
      if (detail && !show) { detail.classList.add('hidden'); }
    });
  }
  onlyDiff.addEventListener('change', applyRowFilters);
  tagSelect.addEventListener('change', applyRowFilters);
  Array.prototype.forEach.call(document.querySelectorAll('input.platform'), function (box) {
    box.addEventListener('change', function () {
      Array.prototype.forEach.call(table.querySelectorAll('[data-col="' + box.value + '"]'),
        function (el) { el.classList.toggle('hidden', !box.checked); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('th.sortable'), function (th) {
    th.addEventListener('click', function () {
      var key = th.dataset.sort;
      var descending = th.dataset.direction !== 'desc';
      th.dataset.direction = descending ? 'desc' : 'asc';
      var list = rows();
      list.sort(function (a, b) {
        var x = a.dataset[key], y = b.dataset[key];
        var result = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -result : result;
      });
      list.forEach(function (tr) {
        body.appendChild(tr);
        var detail = document.getElementById('detail-' + tr.dataset.index);
        if (detail) { body.appendChild(detail); }
      });
    });
  });
  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function renderDetail(probe) {
    var box = el('div'); box.className = 'detail';
    box.appendChild(el('p', probe.question));
    box.appendChild(el('h4', 'Sources'));
    var list = el('ul');
    probe.sources.forEach(function (s) { list.appendChild(el('li', s)); });
    box.appendChild(list);
    probe.documented.forEach(function (d) {
      box.appendChild(el('h4', 'Documented for ' + d.family + ' (' + d.source + ')'));
      box.appendChild(el('blockquote', d.quote));
    });
    probe.platforms.forEach(function (p) {
      box.appendChild(el('h4', p.label + ': ' + p.verdict));
      if (p.flags.length) { box.appendChild(el('p', 'Flags: ' + p.flags.join(', '))); }
      var t = el('table');
      var head = el('tr');
      ['step', 'outcome', 'summary', 'error', 'errno', 'portable', 'elapsed', 'timing']
        .forEach(function (h) { head.appendChild(el('th', h)); });
      t.appendChild(head);
      p.observations.forEach(function (o) {
        var tr = el('tr');
        [o.name, o.outcome, o.summary, o.exception, o.errno, o.portable, o.elapsed, o.timing]
          .forEach(function (v) { tr.appendChild(el('td', v)); });
        t.appendChild(tr);
      });
      box.appendChild(t);
      if (p.reason) { box.appendChild(el('p', 'Reason: ' + p.reason)); }
    });
    return box;
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.details'), function (button) {
    button.addEventListener('click', function () {
      var index = button.dataset.index;
      var existing = document.getElementById('detail-' + index);
      if (existing) { existing.classList.toggle('hidden'); return; }
      var row = button.closest('tr');
      var tr = el('tr'); tr.id = 'detail-' + index; tr.className = 'detail-row';
      var td = el('td'); td.colSpan = row.cells.length;
      td.appendChild(renderDetail(data.probes[Number(index)]));
      tr.appendChild(td);
      row.parentNode.insertBefore(tr, row.nextSibling);
    });
  });
})();
"""


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


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
    return f'<th data-col="{e(column.key)}" title="{e(tooltip)}">{label}</th>'


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


def _cell(cell: Cell, column: Column, colours: dict[str, str]) -> str:
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
            f"{e(documented_text(cell))}{more}</td>"
        )
    flags = "".join(_flag(symbol, cell) for symbol in cell_text(cell).split()[1:])
    verdict = cell.verdict or cell.status or ""
    if cell.verdicts_seen:
        verdict = "unstable: " + " / ".join(cell.verdicts_seen)
    if cell.mark:
        style = f' style="background:{colours[cell.mark]}"'
        return f'<td class="mark" {col}{style} title="{e(verdict)}">{e(cell.mark)}{flags}</td>'
    return f'<td class="status" {col} title="{e(verdict)}">{e(cell.status)}{flags}</td>'


def _row(index: int, row: Row, columns: list[Column]) -> str:
    colours = {mark: PALETTE[i % len(PALETTE)] for i, mark in enumerate(row.legend)}
    legend = "".join(
        f'<div><b style="background:{colours[m]}">{e(m)}</b> {e(v)}</div>'
        for m, v in row.legend.items()
    )
    cells = "".join(_cell(row.cells[c.key], c, colours) for c in columns)
    return (
        f'<tr class="probe-row{" differs" if row.differs else ""}" data-index="{index}" '
        f'data-id="{e(row.id)}" data-title="{e(row.title.lower())}" '
        f'data-differs="{int(row.differs)}" data-tags="{e(" ".join(row.tags))}">'
        f'<td class="probe"><span title="{e(row.question)}">{e(row.title)}</span><br>'
        f'<code>{e(row.id)}</code> <button class="details" data-index="{index}">details'
        f"</button></td><td>{'yes' if row.differs else ''}</td>{cells}"
        f'<td class="legend-cell">{legend}</td></tr>'
    )


def _details_data(matrix: Matrix) -> dict[str, Any]:
    probes = []
    for row in matrix.rows:
        platforms = []
        for column in matrix.columns:
            cell = row.cells[column.key]
            if cell.kind != "observed":
                continue
            record = cell.record or {}
            observations = []
            for obs in record.get("observations", []):
                error = obs.get("error") or {}
                observations.append(
                    {
                        "name": obs.get("name"),
                        "outcome": obs.get("outcome"),
                        "summary": obs.get("summary"),
                        "exception": error.get("exception", ""),
                        "errno": error.get("name") or "",
                        "portable": error.get("portable", ""),
                        "elapsed": obs.get("elapsed"),
                        "timing": obs.get("timing"),
                    }
                )
            platforms.append(
                {
                    "label": column.label,
                    "verdict": cell.verdict or cell.status,
                    "flags": cell.flags,
                    "observations": observations,
                    "reason": record.get("reason"),
                }
            )
        probes.append(
            {
                "id": row.id,
                "question": row.question,
                "sources": row.sources,
                "documented": [
                    {"family": f, "source": d.get("source"), "quote": d.get("quote")}
                    for f, d in row.documented.items()
                ],
                "platforms": platforms,
            }
        )
    return {"probes": probes}


def _json_for_script(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(matrix: Matrix) -> str:
    observed = [c for c in matrix.columns if not c.documented_only]
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
    differing = sum(r.differs for r in matrix.rows)
    flags = "".join(f"<li><b>{e(s)}</b> {e(t)}</li>" for s, t in FLAG_LEGEND.items())
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
<p>{len(matrix.rows)} probes · {len(observed)} platform(s) observed ·
<span id="differing-count">{differing}</span> row(s) where platforms differ.
Generated by sockmatrix {e(matrix.tool_version)}.</p>
<div class="controls">
<label><input type="checkbox" id="only-differences"> only rows where platforms differ</label>
<label>tag <select id="tag"><option value="">all</option>{tag_options}</select></label>
<fieldset><legend>platforms</legend>{platform_boxes}</fieldset>
</div>
<table class="matrix" id="matrix">
<thead><tr><th class="sortable" data-sort="title">Probe</th>
<th class="sortable" data-sort="differs">Differs</th>
{"".join(_header(c) for c in matrix.columns)}<th>Verdicts</th></tr></thead>
<tbody>
{"".join(_row(i, r, matrix.columns) for i, r in enumerate(matrix.rows))}
</tbody>
</table>
<h2>Legend</h2>
<p>Within a row, cells with the same letter (and colour) observed the same verdict,
listed in the last column. Striped italic cells are what a source documents for a
platform with no observation: not measured. — means neither.</p>
<ul>{flags}</ul>
<script type="application/json" id="matrix-data">{_json_for_script(_details_data(matrix))}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""
