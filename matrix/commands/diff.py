"""``sockmatrix diff OLD NEW``: the cells whose verdict changed between two runs.

Markdown output fits a pull request body (GitHub allows 65,536 characters):
changes past ``--limit`` are counted, not listed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matrix.render.to_md import md
from matrix.render.to_text import _plain
from matrix.results.document import write_text_atomic
from matrix.table.diff import Change, Diff, diff, load_snapshot

PR_BODY_LIMIT = 60_000


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "diff",
        help="list the cells whose verdict changed between two runs",
        description="Compare two runs (results files, folders of them, or merged "
        "matrix.json files) and list only the cells whose verdict changed, with both "
        "verdicts. A platform whose key changed (new OS image) is compared with the one "
        "platform of the same OS, machine and Python on the other side.",
    )
    parser.add_argument("old", type=Path, metavar="OLD")
    parser.add_argument("new", type=Path, metavar="NEW")
    parser.add_argument("--format", choices=("text", "md"), default="text")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write here, not stdout")
    parser.add_argument(
        "--limit",
        type=int,
        default=PR_BODY_LIMIT,
        metavar="CHARS",
        help=f"Markdown: list changes up to about this many characters (default {PR_BODY_LIMIT})",
    )


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
    lines += [f"new platform: {_plain(label)}" for label in result.added]
    lines += [f"not in the new run: {_plain(label)}" for label in result.removed]
    for change in result.changes:
        was, now = change.parts
        where = _plain(change.new_platform)
        if change.old_platform != change.new_platform:
            where = f"{_plain(change.old_platform)} -> {where}"
        lines += [
            "",
            f"{_plain(change.probe)} on {where}",
            f"  was: {_plain(was or 'not run')}",
            f"  now: {_plain(now or 'not run')}",
        ]
    lines += [str(skipped) for skipped in result.skipped]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    for side in (args.old, args.new):
        if not side.exists():
            print(f"sockmatrix diff: {side} does not exist", file=sys.stderr)
            return 2
    result = diff(load_snapshot(args.old), load_snapshot(args.new))
    for skipped in result.skipped:
        print(skipped, file=sys.stderr)
    text = render_diff_md(result, args.limit) if args.format == "md" else render_diff_text(result)
    if args.output:
        write_text_atomic(args.output, text)
    else:
        sys.stdout.write(text)
    return 1 if result.skipped else 0
