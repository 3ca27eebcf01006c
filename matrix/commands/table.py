"""``sockmatrix table``: merge results files from many platforms into one table.

Rules: results files are untrusted (a bad one is skipped by name, the rest
still make a table); probe text comes from --probes, then what the results
embed, then the built-in library; files are written atomically.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matrix.commands.common import say
from matrix.commands.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

# The format names, as render/formats registers them (kept here: --help stays cheap).
FORMATS = ("md", "html", "json", "text")
PAGES = (("MATRIX.md", "md"), ("index.html", "html"))
README_MARKER = "sockmatrix table"
# The bite list's markers: optional, so a user's README with only the table's works.
BITES_MARKER = "sockmatrix bites"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "table",
        help="merge results files from many platforms into one table",
        description="Merge results files into the cross-platform table. With no arguments: "
        "read results/*.json, write results/MATRIX.md and results/index.html.",
    )
    parser.add_argument(
        "results",
        nargs="*",
        type=Path,
        metavar="RESULTS",
        help="results files or folders of them (default: results/)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="md, html, json or text "
        "(default: from --output's extension; text on a terminal, else md)",
    )
    parser.add_argument(
        "--only-differences", action="store_true", help="only rows where platforms differ"
    )
    parser.add_argument(
        "--only",
        choices=("differs", "contradicts", "documented"),
        help="only rows where observed platforms differ, where an observation contradicts "
        "its documentation, or where only documentation says platforms differ",
    )
    parser.add_argument("--tag", help="only probes with this tag")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write here, not stdout")
    parser.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="write MATRIX.md, index.html and matrix.json into DIR",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also append a compact summary to FILE (e.g. $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--summary-link", default="", metavar="URL", help="where --summary says the full table is"
    )
    parser.add_argument(
        "--probes",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="probe files or folders whose text (titles, documentation, sha256) replaces "
        "what the results files carry; without it the results alone suffice",
    )
    parser.add_argument(
        "--readme",
        type=Path,
        metavar="FILE",
        help="replace the table between the sockmatrix markers in FILE (and the bite "
        "list between the sockmatrix bites markers, where FILE has them)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="with --readme: change nothing, exit 1 if FILE's table is stale",
    )


def run(args: argparse.Namespace) -> int:
    from matrix.probe.selection import builtin_probe_dir
    from matrix.probe.validate import validate_paths
    from matrix.render.formats import format_for, render
    from matrix.render.job_summary import job_summary
    from matrix.render.to_md import replace_between, summary_table
    from matrix.results.document import default_results_dir, write_text_atomic
    from matrix.table.merge import load_and_merge, results_files

    sources = args.results or [default_results_dir()]
    files = results_files(sources)
    if not files:
        where = ", ".join(str(p) for p in sources)
        say(
            f"sockmatrix table: no results files in {where}. Run `sockmatrix run` to "
            "produce this platform's, or download other platforms' from the matrix "
            "workflow's artifacts.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # Probe text: --probes wins, then what the results embed; the built-in
    # library only fills in for results written before records embedded it.
    builtin, problems = validate_paths([builtin_probe_dir()])
    given, given_problems = validate_paths(args.probes) if args.probes else ([], [])
    for problem in [*problems, *given_problems]:
        say(f"warning: {problem}", file=sys.stderr)
    merged = load_and_merge(files, given, builtin)
    for skipped in merged.skipped:
        say(skipped, file=sys.stderr)
    if len(merged.skipped) == len(files):
        say(
            f"sockmatrix table: none of the {len(files)} results file(s) could be used",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if args.only_differences:
        everything = len(merged.rows)
        merged = merged.only_differences()
        if not merged.rows:
            observed = sum(not c.documented_only for c in merged.columns)
            say(
                f"no differences: all {everything} probe(s) gave the same verdict on the "
                f"{observed} observed platform(s)",
                file=sys.stderr if (args.output or args.output_dir or args.summary) else sys.stdout,
            )
            if not (args.output or args.output_dir or args.summary or args.readme):
                return EXIT_FAILED if merged.skipped else EXIT_OK
    if args.only:
        merged = merged.only(args.only)
    if args.tag:
        merged = merged.with_tag(args.tag)
    status = EXIT_FAILED if merged.skipped else EXIT_OK

    if args.readme:
        text = args.readme.read_text(encoding="utf-8")
        body = (
            summary_table(merged, details_in="results/MATRIX.md")
            + "\nFull details: [results/MATRIX.md](results/MATRIX.md).\n"
        )
        markers = [README_MARKER]
        try:
            updated = replace_between(text, README_MARKER, body)
            if f"<!-- BEGIN {BITES_MARKER} -->" in updated:
                from matrix.render.bites import bite_list

                markers = [BITES_MARKER]
                library = [p.data for p in (given or builtin)]
                bites = bite_list(library, "results/MATRIX.md", {r.id for r in merged.rows})
                updated = replace_between(updated, BITES_MARKER, bites)
        except ValueError:
            say(
                f"sockmatrix table: {args.readme} has no <!-- BEGIN {markers[0]} --> / "
                f"<!-- END {markers[0]} --> markers",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if args.check:
            if updated != text:
                say(
                    f"{args.readme}: the table or the bite list is out of date; run: "
                    f"sockmatrix table --readme {args.readme}",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            say(f"{args.readme}: the table is current", file=sys.stderr)
            return status
        write_text_atomic(args.readme, updated)
        say(f"updated the table in {args.readme}", file=sys.stderr)
        return status

    def write(directory: Path, outputs: tuple[tuple[str, str], ...]) -> None:
        for name, kind in outputs:
            write_text_atomic(directory / name, render(merged, kind))
        names = ", ".join(name for name, _ in outputs)
        say(f"wrote {names} to {directory}", file=sys.stderr)

    if args.summary:
        with args.summary.open("a", encoding="utf-8") as summary:
            summary.write(job_summary(merged, args.summary_link))  # bounded; not MATRIX.md
        if not (args.output_dir or args.output):
            return status
    if args.output_dir:
        write(args.output_dir, (*PAGES, ("matrix.json", "json")))
    elif args.output:
        fmt = args.format or format_for(args.output)
        if fmt is None:
            say(
                f"sockmatrix table: cannot tell the format of {args.output}; use --format",
                file=sys.stderr,
            )
            return EXIT_USAGE
        write_text_atomic(args.output, render(merged, fmt))
        say(f"wrote {args.output}", file=sys.stderr)
    elif not args.results and args.format is None:
        write(default_results_dir(), PAGES)
        if sys.stdout.isatty():
            say(render(merged, "text"))
    else:
        fmt = args.format or ("text" if sys.stdout.isatty() else "md")
        say(render(merged, fmt), end="")
    return status
