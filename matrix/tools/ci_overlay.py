"""The committed results/ with one workflow run's files laid over it (Pages and the refresh PR).

Rules of this module:
- The run's files are found by walking the downloaded folder: download-artifact
  v5 and later put a lone matching artifact straight into the folder, several
  into one sub-folder each, so no glob of a fixed depth finds them all.
- Every file is untrusted and read bounded (matrix.table.merge.load_results).
  One that cannot be read is named in a warning and left out; the rest go on.
  A committed file that cannot be read (after a schema change) is named too and
  left as it is, unless this run brings its platform anew.
- Two of the run's files with one platform key are both refused, by name:
  never pick one.
- A complete run replaces its platform's committed file, and every committed
  file of the same runner (the CI job label and API; a new OS version makes a
  new key, e.g. macOS 15.6 → 15.7): that column goes to history, not the table.
- A partial run (``complete: false``, a leg that reached its deadline) never
  replaces a complete committed file of its runner: it is skipped with a
  warning. Over a partial one it merges record by record, as ``sockmatrix
  run`` does. It is never archived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from matrix.results.document import merged_document
from matrix.results.document_types import ResultsDocument
from matrix.table.diff import diff, snapshot_of
from matrix.table.merge import Skipped, load_results

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._+-]")


@dataclass(frozen=True)
class Note:
    level: str  # "error" or "warning"
    file: str
    message: str


@dataclass
class Plan:
    """What the run changes in results/: files to write, files it retires."""

    write: dict[str, ResultsDocument] = field(default_factory=dict)  # name -> document
    retire: dict[str, ResultsDocument] = field(default_factory=dict)  # name -> old document
    unreadable: list[str] = field(default_factory=list)  # committed names left as they are
    notes: list[Note] = field(default_factory=list)

    def warn(self, file: str, message: str, level: str = "warning") -> None:
        self.notes.append(Note(level, file, message))


def found_files(folder: Path) -> list[Path]:
    """Every results file under ``folder``, at any depth (never the merged matrix.json)."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*.json") if p.name != "matrix.json" and not p.is_symlink()
    )


def file_name(document: ResultsDocument) -> str:
    return _UNSAFE_NAME.sub("_", str(document["platform"]["key"])) + ".json"


def runner_of(document: ResultsDocument) -> tuple[str, str] | None:
    """The CI leg that wrote ``document``: its job label and API (None: not from CI)."""
    job = (document.get("source") or {}).get("job")
    return (str(job), str(document.get("api", "native"))) if job else None


def committed_files(results: Path) -> list[Path]:
    return sorted(p for p in results.glob("*.json") if p.name != "matrix.json")


def plan(results: Path, collected: list[Path]) -> Plan:
    """What laying ``collected`` over ``results`` changes (nothing is written here)."""
    result = Plan()
    committed: dict[str, ResultsDocument] = {}
    for path in committed_files(results):
        loaded = load_results(path)
        if isinstance(loaded, Skipped):
            result.unreadable.append(path.name)
            result.warn(str(path), f"cannot be read ({loaded.reason}): left as it is")
        else:
            committed[path.name] = loaded

    by_name: dict[str, list[tuple[Path, ResultsDocument]]] = {}
    for path in collected:
        loaded = load_results(path)
        if isinstance(loaded, Skipped):
            result.warn(str(path), f"this run's file cannot be read ({loaded.reason}): left out")
            continue
        by_name.setdefault(file_name(loaded), []).append((path, loaded))

    for name, entries in sorted(by_name.items()):
        if len(entries) > 1:
            files = ", ".join(str(path) for path, _ in entries)
            result.warn(
                str(entries[0][0]),
                f"two legs wrote platform {name[:-5]}, refusing to pick one: {files}",
                level="error",
            )
            continue
        path, new = entries[0]
        _lay_over(result, committed, name, path, new)
    return result


def _lay_over(
    result: Plan,
    committed: dict[str, ResultsDocument],
    name: str,
    path: Path,
    new: ResultsDocument,
) -> None:
    runner = runner_of(new)
    same_runner = {
        other: doc
        for other, doc in committed.items()
        if other != name and runner is not None and runner_of(doc) == runner
    }
    same_key = committed.get(name)
    if new["complete"]:
        result.write[name] = new
        result.retire.update(same_runner)
        return
    complete = [
        other for other, doc in [(name, same_key), *same_runner.items()] if doc and doc["complete"]
    ]
    if complete:
        result.warn(
            str(path),
            f"a partial run (complete: false) of a leg that has a complete committed file "
            f"({', '.join(complete)}): kept that file, skipped this one",
        )
        return
    result.write[name] = merged_document(new, same_key) if same_key else new
    result.retire.update(same_runner)


def unchanged(plan_: Plan, results: Path) -> list[str]:
    """The names ``plan_`` would write whose table cells equal the committed file's
    (same key, verdicts, probe versions, tool version, completeness)."""
    same = []
    for name, new in plan_.write.items():
        old_path = results / name
        if name in plan_.unreadable or not old_path.exists():
            continue
        old = load_results(old_path)
        if isinstance(old, Skipped):
            continue
        if not diff(snapshot_of([(name, old)]), snapshot_of([(name, new)])).changed:
            same.append(name)
    return same
