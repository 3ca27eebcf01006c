"""The reusable workflow's fan-in: `sockmatrix table` and `check` over every downloaded leg.

    python -m matrix.tools.ci_fan_in table COLLECTED [sockmatrix table options]
    python -m matrix.tools.ci_fan_in check COLLECTED [sockmatrix check options]

Rules of this module: the legs' files are found by walking COLLECTED
(matrix.tools.ci_overlay.found_files), whether download-artifact made one
folder per leg or, for a lone artifact, none; a run with no file at all says
so in an error annotation. `check` also annotates each broken assumption on the
caller's own probe file and line (paths under ``caller/``, where the workflow
checks the caller out, are given relative to the caller's repository).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from matrix.render.workflow_commands import annotation
from matrix.tools.ci_overlay import found_files

CALLER_CHECKOUT = "caller"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[0] not in ("table", "check"):
        print("usage: python -m matrix.tools.ci_fan_in table|check COLLECTED [OPTIONS]")
        return 2
    command, collected, options = args[0], Path(args[1]), args[2:]
    files = [str(path) for path in found_files(collected)]
    if not files:
        print(annotation("error", f"no leg uploaded a results file: {collected} is empty"))
        return 1
    if command != "check":
        # The command itself, as a process: tools/ never imports the commands.
        return subprocess.run(
            [sys.executable, "-m", "matrix", command, *files, *options]
        ).returncode
    with tempfile.TemporaryDirectory() as folder:
        annotations = Path(folder) / "annotations"
        options = [
            *options,
            "--annotations",
            str(annotations),
            "--annotation-root",
            CALLER_CHECKOUT,
        ]
        status = subprocess.run([sys.executable, "-m", "matrix", command, *files, *options])
        if annotations.exists():
            # Built and escaped by matrix.render.workflow_commands: commands on purpose.
            sys.stdout.write(annotations.read_text(encoding="utf-8"))
        return status.returncode


if __name__ == "__main__":
    raise SystemExit(main())
