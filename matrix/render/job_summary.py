"""The GitHub job summary: a compact digest of the merged table and a link to the rest.

The whole MATRIX.md does not belong in a job summary: GitHub refuses a step's
summary over 1 MiB ("Job summaries are isolated between steps and each step is
restricted to a maximum size of 1MiB", docs.github.com, Workflow commands,
"Adding a job summary"), which the full table passes at about 2,000 cells. This
digest is bounded whatever the matrix: counts, one line per platform, at most
MAX_LISTED titles of rows that differ and of skipped files, and the link to the
artifact that holds MATRIX.md, index.html, matrix.json and every results file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matrix.render.to_md import link, md
from matrix.table.merge import Matrix

if TYPE_CHECKING:
    from matrix.probe.assumptions import Broken

MAX_LISTED = 40
# `check --summary`: rows listed; the job log keeps every line.
SUMMARY_ROWS = 200
LIMIT = 64 * 1024  # far under GitHub's 1 MiB, so other steps' summaries still fit


def job_summary(matrix: Matrix, artifact_url: str = "") -> str:
    observed = [c for c in matrix.columns if not c.documented_only]
    differing = [row for row in matrix.rows if row.differs]
    full = link("the sockmatrix-matrix artifact", artifact_url or None)
    lines = [
        "### sockmatrix",
        "",
        f"**{len(matrix.rows)} probes · {len(observed)} platform(s) observed · "
        f"{len(differing)} row(s) where platforms differ**",
        "",
        f"Full table (MATRIX.md, index.html, matrix.json and every results file): {full}.",
        "",
        "| Platform | Stack | Probes run | Could not run | Complete |",
        "|---|---|---|---|---|",
    ]
    for column in observed:
        cells = [
            row.cells[column.key] for row in matrix.rows if row.cells[column.key].kind == "observed"
        ]
        failed = sum(1 for cell in cells if cell.status != "ok")
        name = link(column.label, column.source.get("run_url"))
        complete = "yes" if column.complete else "**no**"
        lines.append(f"| {name} | {md(column.stack)} | {len(cells)} | {failed} | {complete} |")
    lines += _listed("Rows where platforms differ", [md(row.title) for row in differing])
    lines += _listed(
        "Results files that could not be used",
        [f"`{md(s.file)}`: {md(s.reason)}" for s in matrix.skipped],
    )
    text = "\n".join(lines) + "\n"
    if len(text.encode("utf-8")) > LIMIT:
        # Hundreds of platforms: keep the head and say where the rest is.
        text = text.encode("utf-8")[: LIMIT - 200].decode("utf-8", "ignore")
        text = text.rsplit("\n", 1)[0] + f"\n\n… cut to fit; everything is in {full}.\n"
    return text


def _listed(heading: str, items: list[str]) -> list[str]:
    if not items:
        return []
    shown = items[:MAX_LISTED]
    more = len(items) - len(shown)
    lines = ["", f"**{heading}** ({len(items)}):", ""]
    lines += [f"- {item}" for item in shown]
    if more:
        lines.append(f"- … and {more} more (see the artifact)")
    return lines


def check_summary(broken: list[Broken], differences: list[str], checked: int, where: int) -> str:
    """The Markdown outcome of `sockmatrix check` for the job summary (bounded)."""
    lines = ["## sockmatrix check", ""]
    if not broken and not differences:
        lines.append(f"{checked} assumption check(s) on {where} platform(s): all hold.")
        return "\n".join(lines) + "\n"
    if broken:
        lines += [
            f"**{len(broken)} broken assumption(s)**",
            "",
            "| probe | step | platform | assumed | observed | where |",
            "|---|---|---|---|---|---|",
        ]
        for b in broken[:SUMMARY_ROWS]:
            where_text = f"{b.file}:{b.line}" if b.line else b.file
            cells = (b.probe, b.step, b.platform, b.assumed, b.observed, where_text)
            lines.append("| " + " | ".join(md(c) for c in cells) + " |")
        if len(broken) > SUMMARY_ROWS:
            lines.append(f"\n… and {len(broken) - SUMMARY_ROWS} more: every one is in the job log.")
        lines.append("")
    if differences:
        lines += [f"**{len(differences)} probe(s) differ between platforms**", ""]
        lines += [f"- {md(d)}" for d in differences[:SUMMARY_ROWS]]
        if len(differences) > SUMMARY_ROWS:
            lines.append(f"- … and {len(differences) - SUMMARY_ROWS} more (job log)")
    return "\n".join(lines) + "\n"
