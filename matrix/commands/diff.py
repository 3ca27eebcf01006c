"""``sockmatrix diff OLD NEW``: the cells whose verdict changed between two runs.

Markdown output fits a pull request body: changes past ``--limit`` are
counted, not listed (matrix.render.changes). ``--exit-code`` answers "did the
table change?" for scripts, as ``git diff --exit-code`` does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matrix.commands.common import say
from matrix.commands.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

# matrix.render.changes.PR_BODY_LIMIT, named here so that --help does not load
# the renderer (tests/unit/commands check they agree).
DEFAULT_LIMIT = 60_000


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
        "--exit-code",
        action="store_true",
        help="exit 1 when the table would show a difference (a verdict, a platform added, "
        "gone or renamed, a cell re-measured), 0 when not, like `git diff --exit-code`; "
        "timestamps, durations and run URLs never count",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="CHARS",
        help=f"Markdown: list changes up to about this many characters (default {DEFAULT_LIMIT})",
    )


def run(args: argparse.Namespace) -> int:
    from matrix.files.write import write_text_atomic
    from matrix.render.changes import render_diff_md, render_diff_text
    from matrix.table.diff import diff, load_snapshot

    for side in (args.old, args.new):
        if not side.exists():
            say(f"sockmatrix diff: {side} does not exist", file=sys.stderr)
            return EXIT_USAGE
    result = diff(load_snapshot(args.old), load_snapshot(args.new))
    for skipped in result.skipped:
        say(skipped, file=sys.stderr)
    text = render_diff_md(result, args.limit) if args.format == "md" else render_diff_text(result)
    if args.output:
        write_text_atomic(args.output, text)
    else:
        say(text, end="")
    if args.exit_code:
        # A skipped file is reported above; whether the readable ones differ decides.
        return EXIT_FAILED if result.changed else EXIT_OK
    return EXIT_FAILED if result.skipped else EXIT_OK
