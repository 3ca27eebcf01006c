"""The matrix in a terminal: a compact grid of marks, then what differs per row.

Platform columns are numbered in the grid (labels are long) and listed once
above it. Below, each row's verdicts: where platforms differ, each letter first
with only its differing parts, then its full verdict, wrapped to the width.
"""

from __future__ import annotations

import textwrap

from matrix.language.runtimes import RUNTIMES
from matrix.render.present import (
    FLAG_LEGEND,
    cell_text,
    contradiction_symbols,
    differing_text,
    headline,
)
from matrix.render.safe_text import one_line
from matrix.table.merge import Matrix, Row
from matrix.table.nogc import without_gc

WIDTH = 100


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        padded = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        lines.append("  ".join(padded).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _wrapped(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    ) or [first.rstrip()]


def _verdicts(row: Row, numbers: dict[str, int]) -> list[str]:
    where: dict[str, list[str]] = {}
    for key, cell in row.cells.items():
        if cell.mark:
            where.setdefault(cell.mark, []).append(str(numbers[key]))
    lines = [f"{one_line(row.id)}" + ("  (platforms differ)" if row.differs else "")]
    for mark, verdict in row.legend.items():
        on = ",".join(where.get(mark, []))
        head = f"  {mark} [{on}] "
        if row.differs:
            parts = differing_text(next(c for c in row.cells.values() if c.mark == mark), row)
            lines += _wrapped(one_line(parts), head, " " * len(head))
            lines += _wrapped(one_line(verdict), " " * len(head) + "full: ", " " * (len(head) + 6))
        else:
            lines += _wrapped(one_line(verdict), head, " " * len(head))
    if row.runtimes:
        said = ", ".join(
            f"{RUNTIMES.get(r['runtime'], r['runtime'])} {r['effect']}" for r in row.runtimes
        )
        lines += _wrapped(one_line(said, WIDTH * 4), "  runtimes: ", " " * 12)
    return lines


@without_gc
def render_text(matrix: Matrix) -> str:
    numbers = {c.key: n for n, c in enumerate(matrix.columns, 1)}
    lines = [*_wrapped(headline(matrix), "", ""), "", "platforms:"]
    lines += [f"  {numbers[c.key]:>2} {one_line(c.label)}" for c in matrix.columns]
    grid = [["probe", "differs", *(str(n) for n in numbers.values())]]
    for row in matrix.rows:
        cells = []
        for column in matrix.columns:
            text = cell_text(row.cells[column.key])
            cells.append("doc" if text.startswith("documented:") else one_line(text))
        differs = " ".join(
            [
                *(["yes"] if row.differs else []),
                *contradiction_symbols(row),
                *(["doc"] if row.documented_differs else []),
            ]
        )
        grid.append([one_line(row.id), differs, *cells])
    lines += [
        "",
        *_grid(grid),
        "",
        "verdicts (where platforms differ: the differing parts, then the full verdict):",
    ]
    for row in matrix.rows:
        lines += _verdicts(row, numbers)
    used = {s for r in matrix.rows for c in r.cells.values() for s in cell_text(c).split()}
    notes = [f"  {s} {t}" for s, t in FLAG_LEGEND.items() if s in used]
    if notes:
        lines += ["", "flags:", *notes]
    lines.append(
        "  doc: what documentation says for a platform with no observation "
        "(sockmatrix table --format md shows the quote)"
    )
    return "\n".join(lines) + "\n"
