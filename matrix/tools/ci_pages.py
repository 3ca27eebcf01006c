"""The Pages table: the committed results/ with this run's legs laid over them.

    python -m matrix.tools.ci_pages RESULTS COLLECTED OUTPUT_DIR

Rules of this module: a run renders every column the repository has, not only
its own legs: a push (no extra stacks) keeps the weekly run's BSD, WSL1 and
musl columns, and a leg that failed keeps its last committed column. What the
run brings replaces or joins them as in the refresh (matrix.tools.ci_overlay).
Unreadable files are named in warning annotations and left out; the page is
still published. Writes MATRIX.md, index.html and matrix.json to OUTPUT_DIR.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from matrix.render.workflow_commands import annotation
from matrix.results.document import write_atomic
from matrix.tools.ci_overlay import committed_files, found_files, plan


def overlay_into(results: Path, collected: Path, folder: Path) -> int:
    """Write the overlaid results files into ``folder``; returns how many."""
    laid = plan(results, found_files(collected))
    for note in laid.notes:
        print(annotation(note.level, note.message, file=note.file))
    count = 0
    for path in committed_files(results):
        if path.name in laid.write or path.name in laid.retire or path.name in laid.unreadable:
            continue
        (folder / path.name).write_bytes(path.read_bytes())
        count += 1
    for name, document in laid.write.items():
        write_atomic(folder / name, document)
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print("usage: python -m matrix.tools.ci_pages RESULTS COLLECTED OUTPUT_DIR")
        return 2
    results, collected, output = (Path(a) for a in args)
    with tempfile.TemporaryDirectory() as folder:
        if overlay_into(results, collected, Path(folder)) == 0:
            print(annotation("error", "no results to publish: results/ and this run are empty"))
            return 1
        # The table command as a process: tools/ never imports the commands. Every
        # file here was read and checked above, so its status is the page's.
        return subprocess.run(
            [sys.executable, "-m", "matrix", "table", folder, "--output-dir", str(output)]
        ).returncode


if __name__ == "__main__":
    raise SystemExit(main())
