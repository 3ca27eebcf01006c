"""What changed between runs, as text and Markdown: `sockmatrix diff` and `history`.

Rules of this module: words and layout only; the changes themselves come from
matrix.table.diff and matrix.table.history. Every string from a results file
goes through matrix.render.safe_text (one_line) or matrix.render.to_md (md).
Markdown output of a diff fits a pull request body (GitHub allows 65,536
characters): changes past ``limit`` are counted, not listed.
"""

from __future__ import annotations

from matrix.render.safe_text import one_line
from matrix.render.to_md import md
from matrix.table import history
from matrix.table.compare import differing_parts
from matrix.table.diff import Change, Diff

PR_BODY_LIMIT = 60_000


def _md_row(change: Change) -> str:
    was, now = change.parts
    platform = (
        md(change.new_platform)
        if change.old_platform == change.new_platform
        else f"{md(change.old_platform)} → {md(change.new_platform)}"
    )
    return (
        f"| {md(change.probe)} | {platform} | {md(was or 'not run', 600)} | "
        f"{md(now or 'not run', 600)} | {md(change.old or 'not run', 600)} | "
        f"{md(change.new or 'not run', 600)} |"
    )


def render_diff_md(result: Diff, limit: int = PR_BODY_LIMIT) -> str:
    lines = [f"**{len(result.changes)} changed cell(s)** across {len(result.compared)} "
             "platform(s) compared.", ""]  # fmt: skip
    if result.added:
        lines.append("New platforms: " + ", ".join(md(label) for label in result.added) + ".")
    if result.removed:
        lines.append("Not in the new run: " + ", ".join(md(x) for x in result.removed) + ".")
    for old, new in result.renamed:
        lines.append(f"Column renamed (a new OS version or runner image): {md(old)} → {md(new)}.")
    if result.refreshed:
        lines.append(
            f"{len(result.refreshed)} cell(s) keep their verdict, re-measured with another "
            "probe file or sockmatrix version, or now from a complete run."
        )
    if result.changes:
        lines += [
            "",
            "| Probe | Platform | Was | Now | Full verdict before | Full verdict after |",
            "|---|---|---|---|---|---|",
        ]
        size = sum(len(line) + 1 for line in lines)
        for shown, change in enumerate(result.changes):
            row = _md_row(change)
            if size + len(row) > limit:
                lines += ["", f"*… and {len(result.changes) - shown} more changed cell(s).*"]
                break
            lines.append(row)
            size += len(row) + 1
    for skipped in result.skipped:
        lines.append(f"\n- skipped {md(skipped.file)}: {md(skipped.reason)}")
    return "\n".join(lines) + "\n"


def render_diff_text(result: Diff) -> str:
    lines = [f"{len(result.changes)} changed cell(s) across {len(result.compared)} platform(s)"]
    lines += [f"new platform: {one_line(label)}" for label in result.added]
    lines += [f"not in the new run: {one_line(label)}" for label in result.removed]
    lines += [
        f"column renamed (a new OS version or runner image): {one_line(old)} -> {one_line(new)}"
        for old, new in result.renamed
    ]
    if result.refreshed:
        lines.append(
            f"{len(result.refreshed)} cell(s) keep their verdict, re-measured with another "
            "probe file or sockmatrix version, or now from a complete run"
        )
    for change in result.changes:
        was, now = change.parts
        where = one_line(change.new_platform)
        if change.old_platform != change.new_platform:
            where = f"{one_line(change.old_platform)} -> {where}"
        lines += [
            "",
            f"{one_line(change.probe)} on {where}",
            f"  was: {one_line(was or 'not run')}",
            f"  now: {one_line(now or 'not run')}",
        ]
    lines += [str(skipped) for skipped in result.skipped]
    return "\n".join(lines) + "\n"


def _verdicts(spans: list[history.Range]) -> list[str]:
    """Each range's verdict; after a change, only the parts that changed and what
    they were before (the first range shows the whole verdict)."""
    shown = []
    for n, rng in enumerate(spans):
        if n == 0 or not rng.changed:
            shown.append(rng.verdict)
            continue
        parts = differing_parts([spans[n - 1].verdict, rng.verdict])
        shown.append(f"{parts[rng.verdict]} (was: {parts[spans[n - 1].verdict]})")
    return shown


def _span(rng: history.Range) -> str:
    return rng.first if rng.first == rng.last else f"{rng.first} to {rng.last}"


def render_history_md(table: dict[str, dict[str, list[history.Range]]]) -> str:
    lines = [
        "| Probe | Platform | Versions | Runs | Verdict |",
        "|---|---|---|---|---|",
    ]
    for probe, lineages in table.items():
        for lineage, spans in lineages.items():
            for rng, verdict in zip(spans, _verdicts(spans), strict=True):
                mark = "**changed** " if rng.changed else ""
                lines.append(
                    f"| {md(probe)} | {md(lineage)} | {mark}{md(_span(rng))} | {rng.runs} | "
                    f"{md(verdict, 600)} |"
                )
    lines.append(
        "\n**changed**: the verdict differs from the one on the previous image version; "
        "only the parts that changed are shown, with what they were."
    )
    return "\n".join(lines) + "\n"


def render_history_text(table: dict[str, dict[str, list[history.Range]]]) -> str:
    lines = []
    for probe, lineages in table.items():
        lines.append(one_line(probe))
        for lineage, spans in lineages.items():
            lines.append(f"  {one_line(lineage)}")
            for rng, verdict in zip(spans, _verdicts(spans), strict=True):
                mark = "changed " if rng.changed else "        "
                lines.append(
                    f"    {mark}{one_line(_span(rng))}  ({rng.runs} run(s))  {one_line(verdict)}"
                )
    lines.append(
        "\nchanged: the verdict differs from the one on the previous image version; only "
        "the parts that changed are shown, with what they were."
    )
    return "\n".join(lines) + "\n"
