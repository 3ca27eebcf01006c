"""``sockmatrix run``: validate probes, run them here, write this platform's results.

Rules: every probe runs in its own process (matrix.runner.runner owns that); a run
never loses a finished result (each record is written as it arrives, and an
interrupted run keeps what finished); Ctrl-C exits 130 and SIGTERM 143 after
the children are gone. Exit status as in matrix.cli. The run's report (progress,
verdict table, closing summary) is one stream, stdout, in order, each line flushed
as it is said: two streams reach a pipe (tox, a CI log) through two buffers and
interleave mid-table. stderr holds only what stops or precedes a run (usage,
invalid probes, a refused output, an interruption). ``--under gvisor`` runs
this same command, with every other option, inside gVisor's sandbox
(matrix.runner.under_gvisor); FORWARDED names the options it passes on.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrix.commands.common import (
    add_paths,
    print_problems,
    probe_sources,
    say,
)
from matrix.commands.exit_codes import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
)

if TYPE_CHECKING:
    from matrix.results.document_types import Record


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        help="validate and run probes here, write results, print verdicts",
        description="Validate the probes, run each in its own process (many at once), "
        "write this platform's results file and print its verdicts.",
    )
    add_paths(parser, "run")
    parser.add_argument(
        "-k",
        dest="keyword",
        metavar="EXPR",
        help="only probes matching EXPR: words (a substring of the id, or a "
        "tag) joined by and/or/not, e.g. -k 'linger and not zero'",
    )
    parser.add_argument(
        "-n",
        dest="workers",
        default="auto",
        metavar="WORKERS",
        help="probes run at once (default auto: up to 16; they mostly wait)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help="results file (default results/<platform-key>.json)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run every probe N times; a probe whose runs disagree is marked "
        "unstable, with how many runs gave each verdict",
    )
    parser.add_argument(
        "--api",
        choices=("native", "python"),
        default="native",
        help="native (default): every observed call is the C API on the raw descriptor, "
        "as a C program sees the OS; python: through CPython's socket module (results "
        "key gets -py-api)",
    )
    parser.add_argument("--quiet", action="store_true", help="no per-probe progress lines")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start the results file over; by default a run replaces only the records "
        "of the probes it ran and keeps the others",
    )
    parser.add_argument(
        "--under",
        choices=("gvisor",),
        help="gvisor: run these probes inside gVisor's sandbox (`runsc --network=none do`, "
        "as root; `apt-get install runsc`), so the socket calls meet gVisor's own network "
        "stack, and write results/<gvisor key>.json (e.g. gvisor-20221219-x86_64-py3.11); "
        "every other option applies inside (`tox -e gvisor` runs it and prints the table)",
    )


# The options --under passes to the run inside, each as given here.
FORWARDED = (
    "paths",
    "with_builtin",
    "keyword",
    "workers",
    "output",
    "repeat",
    "api",
    "quiet",
    "fresh",
)


def forwarded_arguments(args: argparse.Namespace) -> list[str]:
    """This run's options as a command line for the run inside the sandbox."""
    argv = ["-n", str(args.workers), "--repeat", str(args.repeat), "--api", args.api]
    if args.with_builtin:
        argv.append("--with-builtin")
    if args.keyword:
        argv += ["-k", args.keyword]
    if args.output:
        argv += ["--output", str(args.output)]
    if args.quiet:
        argv.append("--quiet")
    if args.fresh:
        argv.append("--fresh")
    return [*argv, "--", *map(str, args.paths)]


def _run_under(args: argparse.Namespace) -> int:
    from matrix.runner.interrupt import Terminated, terminate_as_interrupt
    from matrix.runner.under_gvisor import SandboxError, start

    where = f"sockmatrix run --under {args.under}"
    try:
        sandbox = start(forwarded_arguments(args))
    except SandboxError as exc:
        say(f"{where}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with terminate_as_interrupt():
            code = sandbox.wait()
    except KeyboardInterrupt as stop:
        import signal

        # The run inside stops its probes and keeps what finished (its own message).
        terminated = isinstance(stop, Terminated)
        sandbox.stop(signal.SIGTERM if terminated else signal.SIGINT)
        return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    finally:
        sandbox.close()  # kills runsc if it still runs; removes its scratch directory
    failure = sandbox.failure(code)
    if failure is not None:
        say(f"{where}: {failure}", file=sys.stderr)
        return EXIT_FAILED
    return code


def _workers(text: str, count: int) -> int:
    from matrix.runner.runner import default_workers

    if text == "auto":
        return default_workers(count)
    try:
        value = int(text)
    except ValueError:
        raise SystemExit(f"sockmatrix run: -n takes a number or 'auto', not {text!r}") from None
    if value < 1:
        raise SystemExit("sockmatrix run: -n must be at least 1")
    return value


def run(args: argparse.Namespace) -> int:
    if args.under:
        return _run_under(args)
    from matrix.files.write import output_problem
    from matrix.probe.selection import KeywordError, KeywordMatcher
    from matrix.probe.validate import validate_paths
    from matrix.render.assumption_report import broken_here
    from matrix.render.run_report import run_summary, stability_summary, verdict_table
    from matrix.results.document import (
        SCHEMA_VERSION,
        ResultsNotWritten,
        ResultsWriter,
        default_results_path,
        existing_results_problem,
    )
    from matrix.results.read import recorded_durations
    from matrix.runner.interrupt import Terminated, terminate_as_interrupt
    from matrix.runner.runner import Runner
    from matrix.runner.under_gvisor import UNDER_VARIABLE, end_with_stdin

    try:
        matcher = KeywordMatcher(args.keyword) if args.keyword else None
    except KeywordError as exc:
        say(f"sockmatrix run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    notes: list[str] = []
    probes, problems = validate_paths(probe_sources(args), notes)
    print_problems([*notes, *problems])
    if matcher is not None:
        probes = [p for p in probes if matcher.matches(p.id, p.data["tags"])]
    if not probes:
        say(
            "sockmatrix run: no probes to run" + (" (none valid)" if problems else ""),
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not 1 <= args.repeat <= 1000:
        say("sockmatrix run: --repeat takes 1 to 1000", file=sys.stderr)
        return EXIT_USAGE
    output = args.output or default_results_path(api=args.api)
    writer = ResultsWriter(output, api=args.api, fresh=args.fresh)
    key = writer.document["platform"]["key"]
    under = os.environ.get(UNDER_VARIABLE)
    if under and writer.document["platform"]["os"] != under:
        # Started by --under: never write another platform's column as this one.
        say(
            f"sockmatrix run: started to run under {under}, but this platform is {key} "
            f"(no {under} marker found); nothing was run",
            file=sys.stderr,
        )
        return EXIT_FAILED
    refused = output_problem(output) if args.fresh else existing_results_problem(output, key)
    if refused is not None:
        hint = "" if args.fresh else " (--fresh starts a new file there)"
        say(f"sockmatrix run: {output} {refused}; nothing was run{hint}", file=sys.stderr)
        return EXIT_USAGE
    workers = _workers(args.workers, len(probes))
    total = len(probes)
    if not args.quiet:
        say(f"running {total} probe(s), {workers} at a time, on {key}")

    ran: list[Record] = []

    def progress(record: Record) -> None:
        writer.add(record)
        ran.append(record)
        if not args.quiet:
            done = len(writer.document["probes"])
            counts = record.get("repeat", {}).get("verdicts", {})
            stability = ""
            if record.get("unstable"):
                stability = " UNSTABLE " + " / ".join(f"{n}x {v}" for v, n in counts.items())
            elif counts:
                stability = f" (same verdict in all {record['repeat']['runs']} runs)"
            say(
                f"[{done}/{total}] {record['id']}: {record['status']} "
                f"({record.get('duration', 0):.1f} s){stability}"
            )

    # The longest probes start first, as long as they took last time here.
    durations = {} if args.fresh else recorded_durations(output, SCHEMA_VERSION)
    runner = Runner(api=args.api)
    try:
        with terminate_as_interrupt():
            if under:
                end_with_stdin()  # stop when the launcher goes (its pipe closes)
            runner.run_many(probes, workers, progress, repeat=args.repeat, durations=durations)
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
            say(f"\n{what}; {exc}", file=sys.stderr)
            return code
        say(f"\n{what}: {kept} of {total} probe(s) finished; kept in {output}", file=sys.stderr)
        return code
    except ResultsNotWritten as exc:
        say(
            f"sockmatrix run: {exc}. The run was stopped; the file keeps what it held "
            "before (every probe that had finished by then).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    records = writer.document["probes"]
    say(verdict_table(records, key))
    # The closing summary, after the table on the same stream: --quiet drops the
    # progress lines, not this.
    say(f"\n{run_summary(ran)}; results written to {output}")
    stability = stability_summary(ran)
    if stability is not None:
        say(stability)
    for line in broken_here(records, writer.document["platform"]):
        say(line)
    if writer.not_written:
        say(
            f"{len(writer.not_written)} probe(s) ran but did not fit in {output} (it holds at "
            "most what its readers accept): " + ", ".join(writer.not_written)
        )
    failed = [r for r in records if r["status"] not in ("ok", "skipped")]
    if failed:
        say(
            f"{len(failed)} probe(s) could not run: "
            + ", ".join(f"{r['id']} ({r['status']})" for r in failed)
        )
    if problems:
        return EXIT_USAGE
    return EXIT_FAILED if failed or writer.not_written else EXIT_OK
