"""The matrix in a terminal: a compact grid of marks, then what differs per row.

Platform columns are numbered in the grid (labels are long) and listed once
above it. Below, the verdicts of the rows where observed platforms differ only:
each letter first with only its differing parts, then its full verdict, wrapped
to the width. A row where every observed platform agrees is not repeated there
(``sockmatrix run`` has just printed its verdicts, and ``--format md`` lists
every one); one line says how many rows agree, or that none differs. Then each
observation that contradicts its documentation, also where platforms agree:
what the entry expects, what was observed at those steps, and the source.
"""

from __future__ import annotations

import textwrap

from matrix.language.runtimes import RUNTIMES
from matrix.render.present import (
    FLAG_LEGEND,
    FLAG_SYMBOLS,
    cell_text,
    contradiction_symbols,
    describe_expectation,
    differing_text,
    evidence_source,
    headline,
)
from matrix.render.safe_text import one_line
from matrix.table.compare import parts_of_steps
from matrix.table.merge import Cell, Matrix, Row
from matrix.table.model import CONTRADICTION_FLAGS
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
    """A differing row's verdicts: per letter, the parts that differ, then the full one."""
    where: dict[str, list[str]] = {}
    for key, cell in row.cells.items():
        if cell.mark:
            where.setdefault(cell.mark, []).append(str(numbers[key]))
    lines = [one_line(row.id)]
    for mark, verdict in row.legend.items():
        on = ",".join(where.get(mark, []))
        head = f"  {mark} [{on}] "
        parts = differing_text(next(c for c in row.cells.values() if c.mark == mark), row)
        lines += _wrapped(one_line(parts), head, " " * len(head))
        lines += _wrapped(one_line(verdict), " " * len(head) + "full: ", " " * (len(head) + 6))
    if row.runtimes:
        said = ", ".join(
            f"{RUNTIMES.get(r['runtime'], r['runtime'])} {r['effect']}" for r in row.runtimes
        )
        lines += _wrapped(one_line(said, WIDTH * 4), "  runtimes: ", " " * 12)
    return lines


def _differing_verdicts(matrix: Matrix, numbers: dict[str, int]) -> list[str]:
    """The verdicts section: only rows where observed platforms differ; the rows
    that agree are counted in one line, never listed again."""
    differing = [row for row in matrix.rows if row.differs]
    agreeing = len(matrix.rows) - len(differing)
    every = "every verdict: --format md"
    if not differing:
        return _wrapped(
            f"verdicts where observed platforms differ: none of {len(matrix.rows)} row(s) "
            f"({every})",
            "",
            "",
        )
    lines = [
        "verdicts where observed platforms differ (the differing parts, then the full verdict):"
    ]
    for row in differing:
        lines += _verdicts(row, numbers)
    if agreeing:
        lines.append(
            f"the other {agreeing} row(s): every observed platform gave the same verdict ({every})"
        )
    return lines


def _contradiction_lines(cell: Cell, head: str) -> list[str]:
    lines = []
    for contradiction in cell.contradictions:
        symbol = FLAG_SYMBOLS[CONTRADICTION_FLAGS[contradiction.kind]]
        expect = contradiction.entry.get("expect", {})
        expected = describe_expectation(
            {step: expect[step] for step in contradiction.steps if step in expect}
        )
        observed = parts_of_steps(cell.verdict or str(cell.status), contradiction.steps)
        indent = " " * len(head)
        lines += _wrapped(one_line(f"{symbol} expected {expected}"), head, indent + "  ")
        lines += _wrapped(one_line(f"observed {observed}"), indent, indent + "  ")
        source = evidence_source(contradiction.entry)
        lines += _wrapped(one_line(f"source: {source}", WIDTH * 4), indent, indent + "  ")
        head = indent
    return lines


def _contradicting_observations(matrix: Matrix, numbers: dict[str, int]) -> list[str]:
    """Every observation that contradicts its platform's documentation, also in a
    row where the observed platforms agree (the grid shows only its flag)."""
    rows = [row for row in matrix.rows if row.contradicts]
    if not rows:
        return []
    lines = ["", "observations that contradict their documentation:"]
    for row in rows:
        lines.append(one_line(row.id))
        for key, cell in row.cells.items():
            if cell.contradictions:
                lines += _contradiction_lines(cell, f"  {cell.mark or '-'} [{numbers[key]}] ")
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
    lines += ["", *_grid(grid), "", *_differing_verdicts(matrix, numbers)]
    lines += _contradicting_observations(matrix, numbers)
    used = {s for r in matrix.rows for c in r.cells.values() for s in cell_text(c).split()}
    notes = [f"  {s} {t}" for s, t in FLAG_LEGEND.items() if s in used]
    if "documented:" in used:
        notes.append(
            "  doc: what documentation says for a platform with no observation "
            "(sockmatrix table --format md shows the quote)"
        )
    if notes:
        lines += ["", "flags:", *notes]
    return "\n".join(lines) + "\n"
