"""Did a matrix run change any results, apart from when and where it ran?

``python -m matrix.results.changed OLD_DIR NEW_DIR`` exits 0 when every results
file in NEW_DIR says the same as OLD_DIR's once timestamps, durations, run URLs
and commit ids are left out, and 1 (listing the files) otherwise. The refresh
job uses it so that a weekly run that observed nothing new does not force-push
the refresh branch and touch its pull request.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from matrix.files.read import Unreadable, parse_json, read_bounded

# Fields that differ between two runs that observed the same thing.
VOLATILE = frozenset(
    {
        "started",
        "finished",
        "duration",
        "overhead",
        "elapsed",
        "run_url",
        "commit",
        "image_version",
        "job",
    }
)


def stable(value: Any) -> Any:
    """``value`` without the volatile fields, at any depth."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def _load(path: Path) -> Any:
    # Artifacts are untrusted: the one bounded reader every results reader uses.
    try:
        return stable(parse_json(read_bounded(path)))
    except Unreadable:
        return None  # unreadable: never equal to anything, so it is reported


def changed_files(old: Path, new: Path) -> list[str]:
    def names(directory: Path) -> set[str]:
        return {p.name for p in directory.glob("*.json") if p.name != "matrix.json"}

    changed = []
    for name in sorted(names(old) | names(new)):
        before, after = old / name, new / name
        if not (before.exists() and after.exists()):
            changed.append(name)
            continue
        first, second = _load(before), _load(after)
        if first is None or first != second:
            changed.append(name)
    return changed


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m matrix.results.changed OLD_DIR NEW_DIR", file=sys.stderr)
        return 2
    changed = changed_files(Path(args[0]), Path(args[1]))
    for name in changed:
        print(f"changed: {name}")
    if not changed:
        print("results unchanged (ignoring timestamps, durations, run URLs and commits)")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
