"""Citation rot: re-resolve every cited line of the probes in local clones of its source.

    python -m matrix.tools.citations --clone wine-mirror/wine=/src/wine \
        --clone rems-project/netsem=/src/netsem [--ref HEAD] [--strict] [probes]

(or ``SOCKMATRIX_CITATION_CLONES="wine-mirror/wine=/src/wine;rems-project/netsem=/src/netsem"``;
``tox -e citations`` passes it through). For each ``documented`` entry and
``runtimes`` entry that cites ``repository``, ``commit``, ``path`` and
``line``, it reports:

- at the cited commit: whether the cited lines are the quote (indentation
  aside, as validation compares them). A mismatch is an error (exit 1): the
  citation is wrong today, not merely old;
- at ``--ref`` (default ``HEAD``, the newest copy the clone holds): whether the
  same lines still hold the quote (``current``), hold it elsewhere (``moved``,
  with the new lines), no longer hold it anywhere (``changed``), or whether the
  file is gone (``vanished``). Drift is reported, and only fails the run with
  ``--strict``: an old commit still opens, so a moved line is a chore, not a lie.

Rules of this module: it needs the network for nothing; a repository with no
clone given is skipped and named, and a run with no clone at all says so and
exits 0 (the check runs where the sources are at hand, never in CI's default
path). Git runs as a process with a fixed argument list (no shell); the
probes are read with the safe YAML loader. Standard library plus PyYAML.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from matrix.language.evidence import cited_lines, entries, quote_lines

CLONES_VARIABLE = "SOCKMATRIX_CITATION_CLONES"
GIT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Citation:
    """One cited line range of one probe file."""

    where: str  # probe file and key path, for the report
    repository: str
    commit: str
    path: str
    first: int
    last: int
    quote: tuple[str, ...]  # the quote's lines, indentation aside


@dataclass(frozen=True)
class Finding:
    citation: Citation
    status: str  # ok | wrong | missing-commit | current | moved | changed | vanished
    detail: str = ""


def _cited(where: str, entry: Mapping[str, Any]) -> Citation | None:
    lines = cited_lines(entry)
    fields = [entry.get(key) for key in ("repository", "commit", "path", "quote")]
    if lines is None or not all(isinstance(field, str) for field in fields):
        return None
    repository, commit, path, quote = (str(field) for field in fields)
    return Citation(where, repository, commit, path, *lines, tuple(quote_lines(quote)))


def citations_in(probe_file: Path, shown: str) -> Iterator[Citation]:
    """Every cited line of one probe file, in file order."""
    data = yaml.safe_load(probe_file.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        return
    documented = data.get("documented")
    if isinstance(documented, Mapping):
        for family, value in documented.items():
            for index, entry in enumerate(entries(value)):
                found = _cited(f"{shown}: documented.{family}[{index}]", entry)
                if found:
                    yield found
    runtimes = data.get("runtimes")
    for index, entry in enumerate(runtimes if isinstance(runtimes, list) else []):
        if isinstance(entry, Mapping) and (found := _cited(f"{shown}: runtimes[{index}]", entry)):
            yield found


def collect(paths: Sequence[Path]) -> list[Citation]:
    found: list[Citation] = []
    for path in paths:
        files = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        for probe_file in files:
            found.extend(citations_in(probe_file, probe_file.as_posix()))
    return found


def _show(clone: Path, revision: str, path: str) -> list[str] | None:
    """The file's lines at revision, or None when the revision or the file is not there."""
    result = subprocess.run(
        ["git", "-C", str(clone), "show", f"{revision}:{path}"],
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", errors="replace").split("\n")


def _has_commit(clone: Path, commit: str) -> bool:
    result = subprocess.run(
        ["git", "-C", str(clone), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    return result.returncode == 0


def _stripped(lines: list[str], first: int, last: int) -> tuple[str, ...]:
    return tuple(line.strip() for line in lines[first - 1 : last])


def _places(lines: list[str], quote: tuple[str, ...]) -> list[int]:
    """First line numbers where the quote's lines stand, in order."""
    stripped = [line.strip() for line in lines]
    size = len(quote)
    return [
        start + 1
        for start in range(len(stripped) - size + 1)
        if tuple(stripped[start : start + size]) == quote
    ]


def check(citation: Citation, clone: Path, ref: str) -> list[Finding]:
    """The pinned check (at the cited commit), then the drift check (at ref)."""
    if not _has_commit(clone, citation.commit):
        return [Finding(citation, "missing-commit", f"{clone} has no commit {citation.commit}")]
    pinned = _show(clone, citation.commit, citation.path)
    if pinned is None:
        return [Finding(citation, "wrong", f"no {citation.path} at {citation.commit[:12]}")]
    span = f"L{citation.first}-L{citation.last}"
    if _stripped(pinned, citation.first, citation.last) != citation.quote:
        return [Finding(citation, "wrong", f"{span} at {citation.commit[:12]} is not the quote")]
    found = [Finding(citation, "ok")]
    newer = _show(clone, ref, citation.path)
    if newer is None:
        found.append(Finding(citation, "vanished", f"no {citation.path} at {ref}"))
    elif _stripped(newer, citation.first, citation.last) == citation.quote:
        found.append(Finding(citation, "current"))
    elif places := _places(newer, citation.quote):
        size = citation.last - citation.first
        moved = ", ".join(f"L{start}-L{start + size}" for start in places)
        found.append(Finding(citation, "moved", f"{span} is now {moved} at {ref}"))
    else:
        found.append(Finding(citation, "changed", f"the quote of {span} is nowhere at {ref}"))
    return found


def parse_clones(values: Sequence[str], environment: str | None) -> dict[str, Path]:
    """owner/name=path pairs from --clone options and the environment variable."""
    pairs = list(values)
    if environment:
        pairs.extend(part for part in environment.split(";") if part.strip())
    clones: dict[str, Path] = {}
    for pair in pairs:
        repository, separator, path = pair.partition("=")
        if not separator or not repository.strip() or not path.strip():
            raise ValueError(f"a clone is owner/name=path, not {pair!r}")
        clones[repository.strip()] = Path(path.strip())
    return clones


def run(paths: Sequence[Path], clones: Mapping[str, Path], ref: str) -> list[Finding]:
    return [
        finding
        for citation in collect(paths)
        if citation.repository in clones
        for finding in check(citation, clones[citation.repository], ref)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matrix.tools.citations", description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("probes")])
    parser.add_argument("--clone", action="append", default=[], metavar="OWNER/NAME=PATH")
    parser.add_argument("--ref", default="HEAD", help="the newer copy to compare (default HEAD)")
    parser.add_argument("--strict", action="store_true", help="fail on moved/changed/vanished")
    options = parser.parse_args(argv)
    try:
        clones = parse_clones(options.clone, os.environ.get(CLONES_VARIABLE))
    except ValueError as exc:
        parser.error(str(exc))
    citations = collect(options.paths)
    cited = sorted({citation.repository for citation in citations})
    if not clones:
        print(
            f"citations: skipped, no clone given (--clone OWNER/NAME=PATH or "
            f"{CLONES_VARIABLE}); {len(citations)} cited lines in {', '.join(cited) or 'none'}"
        )
        return 0
    if shutil.which("git") is None:
        print("citations: git is not installed; it is needed to read the clones")
        return 2
    for repository in cited:
        if repository not in clones:
            print(f"citations: skipped {repository}, no clone given")
    findings = run(options.paths, clones, options.ref)
    for finding in findings:
        if finding.status not in ("ok", "current"):
            print(f"{finding.citation.where}: {finding.status}: {finding.detail}")
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.status] = counts.get(finding.status, 0) + 1
    print("citations: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    if any(finding.status in ("wrong", "missing-commit") for finding in findings):
        return 1
    drift = ("moved", "changed", "vanished")
    return 1 if options.strict and any(f.status in drift for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
