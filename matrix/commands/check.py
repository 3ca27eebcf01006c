"""``sockmatrix check``: fail when some platform breaks what the code assumes.

Reads results files from any number of platforms (the assumptions travel
inside them, see matrix.results.embedded_probe) and prints one line per broken
assumption, like a compiler error: ``file:line: probe: step 'x' on platform:
assumed …, observed …``. ``--same-everywhere`` also fails on every probe whose
verdict differs between platforms.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrix.commands.common import say
from matrix.commands.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from matrix.probe.assumptions import Assumption, Broken
    from matrix.results.document_types import ResultsDocument


def add_parser(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="exit 1 when some platform's results break an assumption",
        description="Compare every platform's observations with the assumptions its "
        "probes state (the `assumptions:` key of a probe). Prints one line per broken "
        "assumption (file:line, probe, step, platform, assumed vs observed) and exits 1 "
        "if there is any. An assumption whose probe could not run there also fails; a "
        "probe skipped on a platform is not checked there.",
    )
    check.add_argument(
        "results",
        nargs="*",
        type=Path,
        metavar="RESULTS",
        help="results files or folders of them (default: results/)",
    )
    check.add_argument(
        "--same-everywhere",
        action="store_true",
        help="also fail on every probe whose verdict differs between platforms",
    )
    check.add_argument(
        "--probes",
        type=Path,
        nargs="+",
        metavar="PATH",
        help="probe files or folders whose assumptions replace the ones the results "
        "carry (after editing assumptions, without re-running)",
    )
    check.add_argument(
        "--annotations",
        type=Path,
        metavar="FILE",
        help="also append each broken assumption to FILE as a GitHub Actions annotation "
        "on its probe file and line (::error file=…,line=…::), for a CI step to print",
    )
    check.add_argument(
        "--annotation-root",
        default="",
        metavar="DIR",
        help="with --annotations: probe paths under DIR are given relative to it (the "
        "reusable workflow checks a caller's repository out under caller/)",
    )
    check.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also append the outcome as Markdown to FILE (e.g. $GITHUB_STEP_SUMMARY)",
    )


def _newest_per_platform(documents: list[ResultsDocument]) -> list[ResultsDocument]:
    newest: dict[str, ResultsDocument] = {}
    for document in documents:
        key = document["platform"]["key"]
        if key not in newest or document["started"] > newest[key]["started"]:
            newest[key] = document
    return [newest[key] for key in sorted(newest)]


def _differences(platforms: list[ResultsDocument]) -> list[str]:
    verdicts: dict[str, dict[str, list[str]]] = {}
    files: dict[str, str] = {}
    for document in platforms:
        for record in document["probes"]:
            verdict = record.get("verdict")
            if record.get("status") == "ok" and verdict is not None:
                seen = verdicts.setdefault(record["id"], {})
                seen.setdefault(verdict, []).append(document["platform"]["key"])
                files.setdefault(record["id"], str(record.get("file") or record["id"]))
    lines = []
    for probe_id in sorted(verdicts):
        if len(verdicts[probe_id]) > 1:
            parts = "; ".join(
                f"{verdict!r} on {', '.join(keys)}" for verdict, keys in verdicts[probe_id].items()
            )
            lines.append(
                f"{files[probe_id]}: {probe_id}: verdict differs between platforms: {parts}"
            )
    return lines


def _stale_notes(platforms: list[ResultsDocument], refreshed: set[str]) -> list[str]:
    """What the run knows and the user may not: the assumptions checked are the ones
    the results stored, and the probe file they came from has changed or is gone."""
    from matrix.probe.assumptions import from_probe
    from matrix.probe.assumptions import from_record as assumptions_in
    from matrix.probe.validate import validate_file

    notes: dict[str, str] = {}
    for document in platforms:
        for record in document["probes"]:
            file = str(record.get("file") or "")
            if not file or file in notes or record["id"] in refreshed:
                continue
            if not assumptions_in(record):
                continue
            path = Path(file)
            if not path.is_file():
                notes[file] = (
                    f"{file}: no longer exists (renamed or removed?): these results carry "
                    "its assumptions as they were when the run wrote them. Pass the file's "
                    "new path with --probes PATH, or run it again (`sockmatrix run PATH "
                    "--fresh` starts the results file over)"
                )
                continue
            probe, _ = validate_file(path)
            # The digest covers the scenario only (matrix.probe.digest): an edited
            # assumption shows in the assumptions themselves, lines included.
            if (
                probe is None
                or probe.sha256 != record.get("sha256")
                or from_probe(probe.data, probe.lines) != assumptions_in(record)
            ):
                notes[file] = (
                    f"{file}: changed since these results were written: the assumptions "
                    f"checked are the ones the run stored. Check the file as it is now with "
                    f"`sockmatrix check --probes {file}`, or run it again "
                    f"(`sockmatrix run {file}`)"
                )
    return [notes[file] for file in sorted(notes)]


def _annotation(problem: Broken, root: str) -> str:
    """A broken assumption as an error annotation on its probe file's line."""
    from matrix.render.workflow_commands import annotation

    file = problem.file.replace("\\", "/")
    prefix = root.replace("\\", "/").rstrip("/") + "/"
    if root and file.startswith(prefix):
        file = file[len(prefix) :]
    message = (
        f"{problem.probe}: step {problem.step!r} on {problem.platform}: "
        f"assumed {problem.assumed}, observed {problem.observed}"
    )
    return annotation("error", message, file=file, line=problem.line, title="broken assumption")


def run(args: argparse.Namespace) -> int:
    from matrix.probe.assumptions import applicable, broken_assumptions, from_probe
    from matrix.probe.assumptions import from_record as assumptions_in
    from matrix.probe.validate import validate_paths
    from matrix.render.job_summary import check_summary
    from matrix.results.document import default_results_dir
    from matrix.table.merge import load_results, results_files

    sources = args.results or [default_results_dir()]
    missing = [path for path in args.results if not path.exists()]
    for path in missing:
        # A path that is not there is a mistake in the command, not a broken
        # assumption: the usage status, so CI can tell the two apart.
        say(f"sockmatrix check: {path}: no such file or folder", file=sys.stderr)
    if missing:
        return EXIT_USAGE
    files = results_files(sources)
    if not files:
        where = ", ".join(str(p) for p in sources)
        say(f"sockmatrix check: no results files in {where}", file=sys.stderr)
        return EXIT_USAGE
    refreshed: dict[str, tuple[list[Assumption], str]] = {}
    if args.probes:
        probes, problems = validate_paths(args.probes)
        for problem in problems:
            say(problem, file=sys.stderr)
        if problems:
            return EXIT_USAGE
        refreshed = {p.id: (from_probe(p.data, p.lines), str(p.path)) for p in probes}
    documents, unusable = [], 0
    for path in files:
        loaded = load_results(path)
        if isinstance(loaded, dict):
            documents.append(loaded)
        else:
            say(loaded, file=sys.stderr)
            unusable += 1
    platforms = _newest_per_platform(documents)
    broken: list[Broken] = []
    checked = 0
    for document in platforms:
        family, key = document["platform"]["os"], document["platform"]["key"]
        for record in document["probes"]:
            assumptions, file = refreshed.get(record["id"], (assumptions_in(record), None))
            if record.get("status") != "skipped":
                checked += len(applicable(assumptions, family))
            broken += broken_assumptions(record, family, key, assumptions, file)
    # Like a compiler: by file and line, then platform.
    broken.sort(key=lambda one: (one.file, one.line or 0, one.step, one.platform))
    differences = _differences(platforms) if args.same_everywhere else []
    for line in [*map(str, broken), *differences]:
        say(line)
    if args.annotations:
        # Workflow commands on purpose, so never through say() (which defuses them):
        # written to a file the CI step prints (matrix.tools.ci_fan_in).
        with args.annotations.open("a", encoding="utf-8") as annotations:
            annotations.writelines(_annotation(one, args.annotation_root) + "\n" for one in broken)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as summary:
            summary.write(check_summary(broken, differences, checked, len(platforms)))
    for note in _stale_notes(platforms, set(refreshed)):
        say(note, file=sys.stderr)
    names = ", ".join(d["platform"]["key"] for d in platforms)
    if broken or differences:
        say(
            f"{len(broken)} broken assumption(s), {len(differences)} probe(s) differing; "
            f"platforms: {names or 'none'}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if unusable:
        say(f"{unusable} results file(s) could not be used: not checked", file=sys.stderr)
        return EXIT_FAILED
    if checked == 0 and not args.same_everywhere:
        say(
            f"no assumptions to check: none of the probes in {len(platforms)} platform(s)' "
            "results states any (see `assumptions:` in docs/probe-format.md)",
            file=sys.stderr,
        )
        return EXIT_OK
    held = [f"{checked} assumption check(s) hold"] if checked else []
    if args.same_everywhere:
        held.append("every probe gave one verdict")
        if len(platforms) < 2:
            say(
                "--same-everywhere: only one platform's results, nothing to compare",
                file=sys.stderr,
            )
    say(f"{'; '.join(held)} on {len(platforms)} platform(s): {names}")
    return EXIT_OK

    if not broken:
        return []
    return [
        *map(str, broken),
        f"{len(broken)} assumption(s) broken here; `sockmatrix check` exits 1 on them",
    ]
