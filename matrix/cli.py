"""The ``sockmatrix`` command line.

Exit status, for every command: 0 ok, 1 some probe could not run (or some
input was skipped), 2 usage or validation errors, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matrix
from matrix import cmd_check

EXIT_OK, EXIT_PROBE_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# Subcommands in their own modules (matrix/cmd_*.py), registered by build_parser.
EXTRA_COMMANDS: dict[str, Any] = {}

DESCRIPTION = """\
Measure where operating systems disagree about sockets.

Probes are YAML scenarios of socket calls; `run` executes them on this machine,
each in its own process, and writes what this OS did to results/<platform>.json.
"""


def _add_paths(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"probe files or folders to {what} (default: the built-in library)",
    )
    parser.add_argument(
        "--with-builtin",
        action="store_true",
        help="also include the built-in library when PATHs are given",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sockmatrix",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sockmatrix {matrix.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="validate and run probes here, write results, print verdicts",
        description="Validate the probes, run each in its own process (many at once), "
        "write this platform's results file and print its verdicts.",
    )
    _add_paths(run, "run")
    run.add_argument(
        "-k",
        dest="keyword",
        metavar="EXPR",
        help="only probes matching EXPR: words (a substring of the id, or a "
        "tag) joined by and/or/not, e.g. -k 'linger and not zero'",
    )
    run.add_argument(
        "-n",
        dest="workers",
        default="auto",
        metavar="WORKERS",
        help="probes run at once (default auto: up to 16; they mostly wait)",
    )
    run.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="results file (default results/<platform-key>.json)",
    )
    run.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run every probe N times; a probe whose runs disagree is marked "
        "unstable, with how many runs gave each verdict",
    )
    run.add_argument(
        "--api",
        choices=("native", "python"),
        default="native",
        help="native (default): every observed call is the C API on the raw descriptor, "
        "as a C program sees the OS; python: through CPython's socket module (results "
        "key gets -py-api)",
    )
    run.add_argument("--quiet", action="store_true", help="no per-probe progress lines")
    run.add_argument(
        "--fresh",
        action="store_true",
        help="start the results file over; by default a run replaces only the records "
        "of the probes it ran and keeps the others",
    )

    validate = commands.add_parser(
        "validate",
        help="check probe files without running them",
        description="Check every probe: YAML, schema, references, addresses, ids. "
        "All problems in all files are reported; exit status 2 if there are any.",
    )
    _add_paths(validate, "check")

    show = commands.add_parser(
        "show",
        help="print one probe's full observations from a results file",
        description="Print one probe's title, question and every observation of one "
        "platform's run: each step's outcome, raw errno and the platform's error name, "
        "portable name, elapsed time and timing class, plus the probe's assumptions and "
        "whether they hold there.",
    )
    show.add_argument("probe", metavar="PROBE", help="probe id")
    show.add_argument(
        "--results",
        type=Path,
        metavar="FILE",
        help="results file (default results/<platform-key>.json)",
    )

    table = commands.add_parser(
        "table",
        help="merge results files from many platforms into one table",
        description="Merge results files into the cross-platform table. With no arguments: "
        "read results/*.json, write results/MATRIX.md and results/index.html.",
    )
    table.add_argument(
        "results",
        nargs="*",
        type=Path,
        metavar="RESULTS",
        help="results files or folders of them (default: results/)",
    )
    table.add_argument(
        "--format",
        choices=FORMATS,
        help="md, html, json or text "
        "(default: from --output's extension; text on a terminal, else md)",
    )
    table.add_argument(
        "--only-differences", action="store_true", help="only rows where platforms differ"
    )
    table.add_argument(
        "--only",
        choices=("differs", "contradicts", "documented"),
        help="only rows where observed platforms differ, where an observation contradicts "
        "its documentation, or where only documentation says platforms differ",
    )
    table.add_argument("--tag", help="only probes with this tag")
    table.add_argument("--output", type=Path, metavar="FILE", help="write here, not stdout")
    table.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="write MATRIX.md, index.html and matrix.json into DIR",
    )
    table.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also append a compact summary to FILE (e.g. $GITHUB_STEP_SUMMARY)",
    )
    table.add_argument(
        "--summary-link", default="", metavar="URL", help="where --summary says the full table is"
    )
    table.add_argument(
        "--probes",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="probe files or folders whose text (titles, documentation, sha256) replaces "
        "what the results files carry; without it the results alone suffice",
    )
    table.add_argument(
        "--readme",
        type=Path,
        metavar="FILE",
        help="replace the table between the sockmatrix markers in FILE",
    )
    table.add_argument(
        "--check",
        action="store_true",
        help="with --readme: change nothing, exit 1 if FILE's table is stale",
    )

    cmd_check.add_parser(commands)
    from matrix import cmd_diff, cmd_history

    for module in (cmd_diff, cmd_history):
        module.add_parser(commands)
        EXTRA_COMMANDS[module.__name__.rsplit("_", 1)[1]] = module.run

    listing = commands.add_parser("list", help="list the probes: id, title, tags")
    _add_paths(listing, "list")
    listing.add_argument("--tag", help="only probes with this tag")
    return parser


def _probe_sources(args: argparse.Namespace) -> list[Path]:
    from matrix.selection import builtin_probe_dir

    paths = list(args.paths)
    if not paths or args.with_builtin:
        paths.append(builtin_probe_dir())
    return paths


def _print_problems(problems: Sequence[Any]) -> None:
    from matrix._terminal import printable

    for problem in problems:
        print(printable(str(problem)), file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from matrix.validate import validate_paths

    probes, problems = validate_paths(_probe_sources(args))
    _print_problems(problems)
    if problems:
        files = len({p.file for p in problems})
        print(
            f"{len(problems)} problem(s) in {files} file(s); {len(probes)} probe(s) valid",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(f"{len(probes)} probe(s) valid")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from matrix.validate import validate_paths

    probes, problems = validate_paths(_probe_sources(args))
    _print_problems(problems)
    rows = [
        [p.id, p.data["title"], ", ".join(p.data["tags"])]
        for p in probes
        if args.tag is None or args.tag in p.data["tags"]
    ]
    from matrix._terminal import printable

    print(printable(tabulate(rows, headers=["id", "title", "tags"])))
    return EXIT_USAGE if problems else EXIT_OK


def _workers(text: str, count: int) -> int:
    from matrix.runner import default_workers

    if text == "auto":
        return default_workers(count)
    try:
        value = int(text)
    except ValueError:
        raise SystemExit(f"sockmatrix run: -n takes a number or 'auto', not {text!r}") from None
    if value < 1:
        raise SystemExit("sockmatrix run: -n must be at least 1")
    return value


def cmd_run(args: argparse.Namespace) -> int:
    from matrix._interrupt import EXIT_TERMINATED, Terminated, terminate_as_interrupt
    from matrix._results_write import output_problem
    from matrix.report import verdict_table
    from matrix.results import (
        ResultsNotWritten,
        ResultsWriter,
        default_results_path,
        existing_results_problem,
    )
    from matrix.runner import Runner
    from matrix.selection import KeywordError, KeywordMatcher
    from matrix.validate import validate_paths

    try:
        matcher = KeywordMatcher(args.keyword) if args.keyword else None
    except KeywordError as exc:
        print(f"sockmatrix run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    probes, problems = validate_paths(_probe_sources(args))
    _print_problems(problems)
    if matcher is not None:
        probes = [p for p in probes if matcher.matches(p.id, p.data["tags"])]
    if not probes:
        print(
            "sockmatrix run: no probes to run" + (" (none valid)" if problems else ""),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not 1 <= args.repeat <= 1000:
        print("sockmatrix run: --repeat takes 1 to 1000", file=sys.stderr)
        return EXIT_USAGE
    output = args.output or default_results_path(api=args.api)
    writer = ResultsWriter(output, api=args.api, fresh=args.fresh)
    key = writer.document["platform"]["key"]
    refused = output_problem(output) if args.fresh else existing_results_problem(output, key)
    if refused is not None:
        hint = "" if args.fresh else " (--fresh starts a new file there)"
        print(f"sockmatrix run: {output} {refused}; nothing was run{hint}", file=sys.stderr)
        return EXIT_USAGE
    workers = _workers(args.workers, len(probes))
    total = len(probes)
    if not args.quiet:
        print(
            f"running {total} probe(s), {workers} at a time, on "
            f"{writer.document['platform']['key']}",
            file=sys.stderr,
        )

    def progress(record: dict[str, Any]) -> None:
        writer.add(record)
        if not args.quiet:
            done = len(writer.document["probes"])
            counts = record.get("repeat", {}).get("verdicts", {})
            stability = ""
            if record.get("unstable"):
                stability = " UNSTABLE " + " / ".join(f"{n}x {v}" for v, n in counts.items())
            elif counts:
                stability = f" (same verdict in all {record['repeat']['runs']} runs)"
            print(
                f"[{done}/{total}] {record['id']}: {record['status']} "
                f"({record.get('duration', 0):.1f} s){stability}",
                file=sys.stderr,
            )

    runner = Runner(api=args.api)
    try:
        with terminate_as_interrupt():
            runner.run_many(probes, workers, progress, repeat=args.repeat)
            writer.finish(complete=True)
    except KeyboardInterrupt as stop:
        # Ctrl-C, or SIGTERM (a cancelled CI job): children are already killed.
        code, what = (
            (EXIT_TERMINATED, "terminated (SIGTERM)")
            if isinstance(stop, Terminated)
            else (EXIT_INTERRUPTED, "interrupted")
        )
        kept = len(writer.document["probes"])
        try:
            writer.finish(complete=False)
        except ResultsNotWritten as exc:
            print(f"\n{what}; {exc}", file=sys.stderr)
            return code
        print(f"\n{what}: {kept} of {total} probe(s) finished; kept in {output}", file=sys.stderr)
        return code
    except ResultsNotWritten as exc:
        print(
            f"sockmatrix run: {exc}. The run was stopped; the file keeps what it held "
            "before (every probe that had finished by then).",
            file=sys.stderr,
        )
        return EXIT_PROBE_FAILED
    records = writer.document["probes"]
    print(verdict_table(records, writer.document["platform"]["key"]))
    print(f"\nresults written to {output}", file=sys.stderr)
    for line in cmd_check.broken_here(records, writer.document["platform"]):
        print(line, file=sys.stderr)
    failed = [r for r in records if r["status"] not in ("ok", "skipped")]
    if failed:
        print(
            f"{len(failed)} probe(s) could not run: "
            + ", ".join(f"{r['id']} ({r['status']})" for r in failed),
            file=sys.stderr,
        )
    if problems:
        return EXIT_USAGE
    return EXIT_PROBE_FAILED if failed else EXIT_OK


def _published_probe_file(text: str) -> Path | None:
    """A results file's ``file`` field, if it names a probe file here and nothing else.

    The field comes from a file that may be hostile: only a relative path to a
    .yaml file, never climbing out with ``..``, is looked at.
    """
    path = Path(text)
    if path.is_absolute() or ".." in path.parts or path.suffix != ".yaml" or path.drive:
        return None
    return path


def cmd_show(args: argparse.Namespace) -> int:
    from matrix._results_read import Unreadable, read_results
    from matrix._terminal import printable
    from matrix.cmd_check import assumption_lines
    from matrix.probe_meta import embedded_probes
    from matrix.report import probe_detail
    from matrix.results import SCHEMA_VERSION, default_results_path
    from matrix.selection import builtin_probe_dir
    from matrix.validate import check_probe_file

    path = args.results or default_results_path()
    try:
        document = read_results(path, SCHEMA_VERSION)
    except Unreadable as exc:
        print(printable(f"sockmatrix show: {path}: skipped: {exc}"), file=sys.stderr)
        return EXIT_PROBE_FAILED
    records = {r["id"]: r for r in document["probes"]}
    if args.probe not in records:
        import difflib

        close = difflib.get_close_matches(args.probe, list(records), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        print(
            printable(f"sockmatrix show: no probe {args.probe!r} in {path}{hint}"), file=sys.stderr
        )
        return EXIT_USAGE
    record = records[args.probe]
    embedded = embedded_probes([(str(path), {"probes": [record]})]).get(args.probe)
    probe = {"question": "", **embedded.data} if embedded else None
    published = _published_probe_file(str(record.get("file", "")))
    candidates = [published] if published is not None else []
    candidates += sorted(builtin_probe_dir().rglob(f"{args.probe}.yaml"))
    for candidate in candidates if probe is None else []:
        if candidate.is_file():
            probe_file, _ = check_probe_file(candidate)
            probe = probe_file.data if probe_file else None
            break
    print(printable(probe_detail(record, probe)))
    print(printable(assumption_lines(record, document.get("platform"))))
    return EXIT_OK


FORMATS = ("md", "html", "json", "text")
PAGES = (("MATRIX.md", "md"), ("index.html", "html"))
README_MARKER = "sockmatrix table"


def _render(matrix: Any, fmt: str) -> str:
    from matrix.render_html import render_html
    from matrix.render_json import render_json
    from matrix.render_md import render_markdown
    from matrix.render_text import render_text

    renderers = {
        "md": render_markdown,
        "html": render_html,
        "json": render_json,
        "text": render_text,
    }
    return str(renderers[fmt](matrix))


def _format_for(path: Path) -> str | None:
    return {
        ".md": "md",
        ".markdown": "md",
        ".html": "html",
        ".htm": "html",
        ".json": "json",
        ".txt": "text",
    }.get(path.suffix.lower())


def cmd_table(args: argparse.Namespace) -> int:
    from matrix._docs import replace_between
    from matrix._job_summary import job_summary
    from matrix._terminal import printable
    from matrix.merge import load_and_merge, results_files
    from matrix.render_md import summary_table
    from matrix.results import default_results_dir, write_text_atomic
    from matrix.selection import builtin_probe_dir
    from matrix.validate import validate_paths

    sources = args.results or [default_results_dir()]
    files = results_files(sources)
    if not files:
        where = ", ".join(str(p) for p in sources)
        print(
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
        print(printable(f"warning: {problem}"), file=sys.stderr)
    merged = load_and_merge(files, given, builtin)
    for skipped in merged.skipped:
        print(printable(str(skipped)), file=sys.stderr)
    if len(merged.skipped) == len(files):
        print(
            f"sockmatrix table: none of the {len(files)} results file(s) could be used",
            file=sys.stderr,
        )
        return EXIT_PROBE_FAILED
    if args.only_differences:
        everything = len(merged.rows)
        merged = merged.only_differences()
        if not merged.rows:
            observed = sum(not c.documented_only for c in merged.columns)
            print(
                f"no differences: all {everything} probe(s) gave the same verdict on the "
                f"{observed} observed platform(s)",
                file=sys.stderr if (args.output or args.output_dir or args.summary) else sys.stdout,
            )
            if not (args.output or args.output_dir or args.summary or args.readme):
                return EXIT_PROBE_FAILED if merged.skipped else EXIT_OK
    if args.only:
        merged = merged.only(args.only)
    if args.tag:
        merged = merged.with_tag(args.tag)
    status = EXIT_PROBE_FAILED if merged.skipped else EXIT_OK

    if args.readme:
        text = args.readme.read_text(encoding="utf-8")
        body = (
            summary_table(merged, details_in="results/MATRIX.md")
            + "\nFull details: [results/MATRIX.md](results/MATRIX.md).\n"
        )
        try:
            updated = replace_between(text, README_MARKER, body)
        except ValueError:
            print(
                f"sockmatrix table: {args.readme} has no <!-- BEGIN {README_MARKER} --> / "
                f"<!-- END {README_MARKER} --> markers",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if args.check:
            if updated != text:
                print(
                    f"{args.readme}: the table is out of date; run: sockmatrix table "
                    f"--readme {args.readme}",
                    file=sys.stderr,
                )
                return EXIT_PROBE_FAILED
            print(f"{args.readme}: the table is current", file=sys.stderr)
            return status
        write_text_atomic(args.readme, updated)
        print(f"updated the table in {args.readme}", file=sys.stderr)
        return status

    def write(directory: Path, outputs: tuple[tuple[str, str], ...]) -> None:
        for name, kind in outputs:
            write_text_atomic(directory / name, _render(merged, kind))
        names = ", ".join(name for name, _ in outputs)
        print(f"wrote {names} to {directory}", file=sys.stderr)

    if args.summary:
        with args.summary.open("a", encoding="utf-8") as summary:
            summary.write(job_summary(merged, args.summary_link))  # bounded; not MATRIX.md
        if not (args.output_dir or args.output):
            return status
    if args.output_dir:
        write(args.output_dir, (*PAGES, ("matrix.json", "json")))
    elif args.output:
        fmt = args.format or _format_for(args.output)
        if fmt is None:
            print(
                f"sockmatrix table: cannot tell the format of {args.output}; use --format",
                file=sys.stderr,
            )
            return EXIT_USAGE
        write_text_atomic(args.output, _render(merged, fmt))
        print(f"wrote {args.output}", file=sys.stderr)
    elif not args.results and args.format is None:
        write(default_results_dir(), PAGES)
        if sys.stdout.isatty():
            print(_render(merged, "text"))
    else:
        fmt = args.format or ("text" if sys.stdout.isatty() else "md")
        sys.stdout.write(_render(merged, fmt))
    return status


COMMANDS = {
    "run": cmd_run,
    "validate": cmd_validate,
    "show": cmd_show,
    "list": cmd_list,
    "table": cmd_table,
    "check": cmd_check.run,
}


def _never_fail_to_print() -> None:
    """Windows: stdout to a pipe uses the ANSI code page (cp1252), which has no
    "→" or "≠"; write those as escapes rather than crash mid-report."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _never_fail_to_print()
    args = build_parser().parse_args(argv)
    try:
        return int({**COMMANDS, **EXTRA_COMMANDS}[args.command](args))
    except BrokenPipeError:
        # The reader went away (`sockmatrix show x | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except FileNotFoundError as exc:
        print(f"sockmatrix {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
