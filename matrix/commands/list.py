"""``sockmatrix list``: the probes' ids, titles and tags.

Rules: invalid probe files are reported and left out of the list (exit 2);
probe text is printed through matrix.render.safe_text.for_terminal (it may be hostile).
"""

from __future__ import annotations

import argparse
from typing import Any

from matrix.commands.common import add_paths, print_problems, probe_sources, say
from matrix.commands.exit_codes import EXIT_OK, EXIT_USAGE


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("list", help="list the probes: id, title, tags")
    add_paths(parser, "list")
    parser.add_argument("--tag", help="only probes with this tag")


def run(args: argparse.Namespace) -> int:
    from tabulate import tabulate

    from matrix.probe.validate import validate_paths

    notes: list[str] = []
    probes, problems = validate_paths(probe_sources(args), notes)
    print_problems([*notes, *problems])
    rows = [
        [p.id, p.data["title"], ", ".join(p.data["tags"])]
        for p in probes
        if args.tag is None or args.tag in p.data["tags"]
    ]

    say(tabulate(rows, headers=["id", "title", "tags"]))
    return EXIT_USAGE if problems else EXIT_OK
