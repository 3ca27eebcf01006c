"""The matrix in a terminal (tabulate): marks per platform, then each row's legend."""

from __future__ import annotations

from tabulate import tabulate

from matrix._present import FLAG_LEGEND, cell_text
from matrix.merge import Matrix


def _plain(text: str) -> str:
    # Terminal escape sequences in a probe title must not drive the terminal.
    return "".join(ch if ch.isprintable() else "?" for ch in " ".join(text.split()))


def render_text(matrix: Matrix) -> str:
    headers = ["probe", "differs", *(_plain(c.label) for c in matrix.columns)]
    rows = []
    for row in matrix.rows:
        cells = []
        for column in matrix.columns:
            text = cell_text(row.cells[column.key])
            cells.append("doc" if text.startswith("documented:") else _plain(text))
        rows.append([_plain(row.id), "yes" if row.differs else "", *cells])
    lines = [tabulate(rows, headers=headers, tablefmt="simple"), "", "verdicts:"]
    for row in matrix.rows:
        for mark, verdict in row.legend.items():
            lines.append(f"  {_plain(row.id)} {mark}: {_plain(verdict)}")
    used = {s for r in matrix.rows for c in r.cells.values() for s in cell_text(c).split()}
    notes = [f"  {s} {t}" for s, t in FLAG_LEGEND.items() if s in used]
    if notes:
        lines += ["", "flags:", *notes]
    lines.append(
        "  doc: what documentation says for a platform with no observation "
        "(sockmatrix table --format md shows the quote)"
    )
    return "\n".join(lines) + "\n"
