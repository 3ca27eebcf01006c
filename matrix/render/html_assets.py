"""The HTML page's inline CSS and script (kept apart from the markup code).

Layout: the page never scrolls sideways; the table sits in its own scrollable
region with a sticky header row and a sticky probe column, and every cell wraps
its text (``overflow-wrap: anywhere``) instead of clipping it. On a narrow
screen the probe column narrows but stays sticky (a phone scrolled sideways
still shows which row it is on), and the Differs column is only as wide as
its words, so the platform cells keep room.
Details are lazy: each row's data is a separate JSON block, parsed and turned
into DOM only when its row is opened, so a page of 230,000 cells stays usable.
"""

from __future__ import annotations

CSS = """
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;margin:1em;color:#111;overflow-wrap:anywhere}
h1{font-size:1.4em}
.headline li{margin:.1em 0}
.controls{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center;margin:1em 0}
.controls select{max-width:calc(100vw - 6em)}
.controls details{max-width:100%}
.controls details label{display:inline-block;margin-right:.8em}
.scroll{overflow:auto;max-width:100%;max-height:85vh;border:1px solid #ccc}
table.matrix{border-collapse:separate;border-spacing:0}
.matrix th,.matrix td{border-right:1px solid #ddd;border-bottom:1px solid #ddd;
padding:.3em .4em;vertical-align:top;overflow-wrap:break-word;min-width:7.5em;max-width:14em}
.matrix thead th{background:#f4f4f4;position:sticky;top:0;z-index:2;font-size:12px}
.matrix .probe{position:sticky;left:0;z-index:1;background:#fff;
width:min(40vw,19em);min-width:min(40vw,19em);max-width:19em}
.matrix thead th.probe{z-index:3;background:#f4f4f4}
.matrix th.sortable{cursor:pointer}
.matrix td.mark{font-weight:bold;cursor:pointer}
.matrix td.mark .parts{display:block;font-weight:normal;font-size:12px}
.matrix td.mark .parts span{display:block;margin-top:.2em}
.matrix td.documented{font-style:italic;color:#555;font-size:12px;
background:repeating-linear-gradient(45deg,#fff,#fff 6px,#f3f3f3 6px,#f3f3f3 12px)}
.matrix td.missing{color:#aaa;text-align:center}
.matrix td.status{background:#fdd;text-align:center}
.matrix .differs-col,.matrix td.differs-cell{font-size:12px;min-width:0}
.k0{background:#cfe8ff}.k1{background:#ffd9b3}.k2{background:#d5f5d0}.k3{background:#f4d0f5}
.k4{background:#fff3b0}.k5{background:#d0f0f0}.k6{background:#f5d0d0}.k7{background:#e0d8ff}
.flag{font-weight:normal;color:#a00;margin-left:.3em}
tr.differs td.probe{box-shadow:inset 4px 0 #d33}
.legend-cell{font-size:12px}
.matrix td.legend-cell{min-width:22em;max-width:44em}
.hidden{display:none}
button.details{font-size:11px}
tr.detail-row td{background:#fafafa;max-width:none}
.detail{max-width:90vw}
.detail h4{margin:.6em 0 .2em}
.detail table{border-collapse:collapse;font-size:12px}
.detail td,.detail th{border:1px solid #ddd;padding:2px 5px}
blockquote{margin:.3em 0 .3em 1em;padding-left:.6em;border-left:3px solid #ccc}
@media (max-width:600px){.matrix .probe{width:9em;min-width:9em;max-width:9em;
overflow-wrap:anywhere}}
"""

SCRIPT = """
(function () {
  var table = document.getElementById('matrix');
  var body = table.tBodies[0];
  var rowFilter = document.getElementById('row-filter');
  var tagSelect = document.getElementById('tag');
  function rows() { return Array.prototype.slice.call(body.querySelectorAll('tr.probe-row')); }
  function applyRowFilters() {
    var kind = rowFilter.value, tag = tagSelect.value;
    rows().forEach(function (tr) {
      var show = (kind === '' || tr.dataset[kind] === '1') &&
        (tag === '' || (' ' + tr.dataset.tags + ' ').indexOf(' ' + tag + ' ') >= 0);
      tr.classList.toggle('hidden', !show);
      var detail = document.getElementById('detail-' + tr.dataset.index);
      if (detail && !show) { detail.classList.add('hidden'); }
    });
  }
  rowFilter.addEventListener('change', applyRowFilters);
  tagSelect.addEventListener('change', applyRowFilters);
  Array.prototype.forEach.call(document.querySelectorAll('input.platform'), function (box) {
    box.addEventListener('change', function () {
      // Cells carry no column attribute (smaller pages): find the column by position.
      var header = table.tHead.rows[0].querySelector('[data-col="' + box.value + '"]');
      var column = header.cellIndex;
      header.classList.toggle('hidden', !box.checked);
      rows().forEach(function (tr) { tr.cells[column].classList.toggle('hidden', !box.checked); });
    });
  });
  body.addEventListener('mouseover', function (event) {
    // The full verdict on hover, taken from the row's legend (not stored per cell).
    var td = event.target.closest('td.mark');
    if (!td || td.title) { return; }
    var mark = td.firstChild && td.firstChild.nodeValue;
    var legend = td.parentNode.querySelector('.legend-cell [data-mark="' + mark + '"] span');
    if (legend) { td.title = legend.textContent; }
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
  var labels = null;
  function renderDetail(probe) {
    var box = el('div'); box.className = 'detail';
    box.appendChild(el('p', probe.question));
    box.appendChild(el('h4', 'Sources'));
    var list = el('ul');
    probe.sources.forEach(function (s) { list.appendChild(el('li', s)); });
    box.appendChild(list);
    probe.documented.forEach(function (d) {
      box.appendChild(el('h4', d.kind + ' for ' + d.family + d.checked + ' (' + d.source + ')'));
      box.appendChild(el('blockquote', d.quote));
      if (d.url) { box.appendChild(el('p', d.url)); }
    });
    if (probe.runtimes.length) {
      box.appendChild(el('h4', 'Runtimes that hide or state this difference'));
      var runtimes = el('ul');
      probe.runtimes.forEach(function (r) {
        var item = el('li', r.name + ' ' + r.effect + ': ' + r.says + ' (' + r.source + ', ' +
          r.url + ')');
        item.appendChild(el('blockquote', r.quote));
        runtimes.appendChild(item);
      });
      box.appendChild(runtimes);
    }
    labels = labels || JSON.parse(document.getElementById('labels').textContent);
    probe.platforms.forEach(function (p) {
      box.appendChild(el('h4', labels[p.c] + ': ' + (p.v || probe.legend[p.m])));
      if (p.f) { box.appendChild(el('p', 'Flags: ' + p.f.join(', '))); }
      var t = el('table');
      var head = el('tr');
      ['step', 'outcome', 'summary', 'error', 'errno', 'portable', 'elapsed', 'timing']
        .forEach(function (h) { head.appendChild(el('th', h)); });
      t.appendChild(head);
      p.o.forEach(function (i, k) {
        var tr = el('tr'), step = probe.steps[i];
        // name, outcome, summary, exception, errno name, portable, elapsed, timing
        step.slice(0, 6).concat([p.e[k], step[6]])
          .forEach(function (v) { tr.appendChild(el('td', v)); });
        t.appendChild(tr);
      });
      box.appendChild(t);
      if (p.r) { box.appendChild(el('p', 'Reason: ' + p.r)); }
    });
    return box;
  }
  function toggleDetails(row) {
    var index = row.dataset.index;
    var existing = document.getElementById('detail-' + index);
    if (existing) { existing.classList.toggle('hidden'); return; }
    var data = JSON.parse(document.getElementById('data-' + index).textContent);
    var tr = el('tr'); tr.id = 'detail-' + index; tr.className = 'detail-row';
    var td = el('td'); td.colSpan = row.cells.length;
    td.appendChild(renderDetail(data));
    tr.appendChild(td);
    row.parentNode.insertBefore(tr, row.nextSibling);
  }
  body.addEventListener('click', function (event) {
    if (event.target.closest('a')) { return; }
    var target = event.target.closest('button.details, td.mark');
    if (target) { toggleDetails(target.closest('tr')); }
  });
})();
"""
