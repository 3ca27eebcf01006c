"""``sockmatrix validate``: check probe files without running them.

Rules: every problem in every file is reported (file:line), never only the
first; exit status 2 if there is any.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from matrix.commands.common import add_paths, print_problems, probe_sources, say
from matrix.commands.exit_codes import EXIT_OK, EXIT_USAGE


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "validate",
        help="check probe files without running them",
        description="Check every probe: YAML, schema, references, addresses, ids. "
        "All problems in all files are reported; exit status 2 if there are any.",
    )
    add_paths(parser, "check")


def run(args: argparse.Namespace) -> int:
    from matrix.probe.validate import validate_paths

    notes: list[str] = []
    probes, problems = validate_paths(probe_sources(args), notes)
    print_problems([*notes, *problems])
    if problems:
        files = len({p.file for p in problems})
        say(
            f"{len(problems)} problem(s) in {files} file(s); {len(probes)} probe(s) valid",
            file=sys.stderr,
        )
        return EXIT_USAGE
    say(f"{len(probes)} probe(s) valid")
    return EXIT_OK
