"""``sockmatrix show PROBE``: one probe's full observations from a results file.

Rules: the results file is untrusted input: everything printed goes through
matrix.render.safe_text.for_terminal, and its ``file`` field is only followed when it is
a relative .yaml path that does not climb out with ``..``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matrix.commands.common import say
from matrix.commands.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from matrix.language.probe_types import Probe


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "show",
        help="print one probe's full observations from a results file",
        description="Print one probe's title, question and every observation of one "
        "platform's run: each step's outcome, raw errno and the platform's error name, "
        "portable name, elapsed time and timing class, plus the probe's assumptions and "
        "whether they hold there.",
    )
    parser.add_argument("probe", metavar="PROBE", help="probe id")
    parser.add_argument(
        "--results",
        type=Path,
        metavar="FILE",
        help="results file (default results/<platform-key>.json)",
    )


def _published_probe_file(text: str) -> Path | None:
    """A results file's ``file`` field, if it names a probe file here and nothing else.

    The field comes from a file that may be hostile: only a relative path to a
    .yaml file, never climbing out with ``..``, is looked at.
    """
    path = Path(text)
    if path.is_absolute() or ".." in path.parts or path.suffix != ".yaml" or path.drive:
        return None
    return path


def run(args: argparse.Namespace) -> int:
    from matrix.language.suggest import did_you_mean
    from matrix.probe.selection import builtin_probe_dir
    from matrix.probe.validate import validate_file
    from matrix.render.assumption_report import assumption_lines
    from matrix.render.run_report import probe_detail
    from matrix.results.document import SCHEMA_VERSION, default_results_path
    from matrix.results.embedded_probe import embedded_probes
    from matrix.results.read import Unreadable, read_results

    path = args.results or default_results_path()
    try:
        document = read_results(path, SCHEMA_VERSION)
    except Unreadable as exc:
        say(f"sockmatrix show: {path}: skipped: {exc}", file=sys.stderr)
        return EXIT_FAILED
    records = {r["id"]: r for r in document["probes"]}
    if args.probe not in records:
        hint = did_you_mean(args.probe, records)
        say(f"sockmatrix show: no probe {args.probe!r} in {path}{hint}", file=sys.stderr)
        return EXIT_USAGE
    record = records[args.probe]
    embedded = embedded_probes([(str(path), {"probes": [record]})]).get(args.probe)
    probe: Probe | None = {"question": "", **embedded.data} if embedded else None
    published = _published_probe_file(str(record.get("file", "")))
    candidates = [published] if published is not None else []
    candidates += sorted(builtin_probe_dir().rglob(f"{args.probe}.yaml"))
    for candidate in candidates if probe is None else []:
        if candidate.is_file():
            probe_file, _ = validate_file(candidate)
            probe = probe_file.data if probe_file else None
            break
    say(probe_detail(record, probe))
    say(assumption_lines(record, document.get("platform")))
    return EXIT_OK
