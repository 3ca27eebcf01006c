"""Which probes a pull request's legs run: only its probe files, when that is all it changes.

    git diff --name-only --no-renames BASE HEAD | python -m matrix.tools.ci_scope

Prints ``probes=<paths separated by spaces>`` (for $GITHUB_OUTPUT) when every
changed path is a probe file of the library (``probes/**.yaml``) and at least
one of them still exists; otherwise ``probes=`` (empty: every leg runs the
whole library). Rules: file names come from a pull request, so they are
untrusted: any path outside ``probes/``, or with a character other than
letters, digits and ``._/-``, means the whole library, and no path is ever
echoed into the output unless it matched. Standard library only: it runs from
the checkout before anything is installed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PROBE_FILE = re.compile(r"probes/[A-Za-z0-9._/-]{1,200}\.yaml")
MAX_FILES = 50  # more than this: the whole library costs about the same


def scope(changed: list[str], root: Path) -> list[str]:
    """The probe files to run, or [] for the whole library."""
    paths = [line for line in changed if line.strip()]
    if not paths or len(paths) > MAX_FILES:
        return []
    if not all(PROBE_FILE.fullmatch(path) and ".." not in path for path in paths):
        return []
    existing = [path for path in paths if (root / path).is_file()]
    return sorted(existing)


def main() -> int:
    print("probes=" + " ".join(scope(sys.stdin.read().splitlines(), Path.cwd())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
