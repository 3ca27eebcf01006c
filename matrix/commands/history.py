"""``sockmatrix history``: keep each runner image's results, and show how verdicts held.

sockmatrix history --add merged/collected/*.json   # archive into results/history/
sockmatrix history                                  # ranges per probe and platform
sockmatrix history --changes-only --format md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from matrix.commands.common import say
from matrix.commands.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

DEFAULT_DIR = Path("results") / "history"
# matrix.table.history.DEFAULT_KEEP, named here so that --help does not load the
# table (tests/unit/commands check they agree).
DEFAULT_KEEP = 26


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "history",
        help="archive results per runner image version; show verdict ranges over versions",
        description="With --add: copy results files into the history folder, one per "
        "platform key and image version, keeping at most --keep per key. Without: show, "
        "per probe and platform, the versions over which each verdict held; a change "
        "between two consecutive versions is marked.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"history folders (default {DEFAULT_DIR})",
    )
    parser.add_argument("--add", nargs="+", type=Path, metavar="RESULTS", help="files to archive")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="history folder for --add")
    parser.add_argument("--keep", type=int, default=DEFAULT_KEEP, metavar="N")
    parser.add_argument("--probe", action="append", metavar="ID", help="only these probes")
    parser.add_argument(
        "--changes-only", action="store_true", help="only probes whose verdict ever changed"
    )
    parser.add_argument("--format", choices=("text", "md"), default="text")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write here, not stdout")


def run(args: argparse.Namespace) -> int:
    from matrix.files.write import write_text_atomic
    from matrix.render.changes import render_history_md, render_history_text
    from matrix.table import history

    if args.add:
        before = {p.name for p in args.dir.glob("*.json")} if args.dir.is_dir() else set()
        added, skipped = history.add(args.add, args.dir, args.keep)
        for problem in skipped:
            say(problem, file=sys.stderr)
        for name in sorted(set(added) & before):
            # A replaced run is history lost: say so, and why the names met.
            say(
                f"replaced {args.dir / name}: an earlier run of the same platform and "
                "version; a run that records no runner image version (a local run) is "
                "keyed by its day, so the day's last run is the one kept",
                file=sys.stderr,
            )
        say(f"archived {len(added)} results file(s) in {args.dir}", file=sys.stderr)
        return EXIT_FAILED if skipped else EXIT_OK
    folders = args.paths or [DEFAULT_DIR]
    missing = [path for path in folders if not path.exists()]
    if missing and not args.paths:
        say(
            f"no history yet: {DEFAULT_DIR} does not exist. Archive complete runs with "
            f"`sockmatrix history --add results/*.json` (one entry per platform and runner "
            "image version); the matrix workflow adds each refresh's results itself.",
            file=sys.stderr,
        )
        return EXIT_OK
    for path in missing:
        say(f"sockmatrix history: {path}: no such file or folder", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    entries, skipped = history.load(folders)
    for problem in skipped:
        say(problem, file=sys.stderr)
    table = history.ranges(entries)
    if args.probe:
        table = {p: v for p, v in table.items() if p in set(args.probe)}
    if args.changes_only:
        table = {p: v for p, v in table.items() if any(len(spans) > 1 for spans in v.values())}
    text = render_history_md(table) if args.format == "md" else render_history_text(table)
    if args.output:
        write_text_atomic(args.output, text)
    else:
        say(text, end="")
    return EXIT_FAILED if skipped else EXIT_OK
