"""Each runner image's results over time, and the version ranges over which a verdict held.

Store: one results file per platform key and image version (``<key>@<version>.json``)
in a history folder, at most ``keep`` per key (the oldest are dropped), so the
folder's size stays bounded. The version is the runner image version the
results record (``source.image_version``), else the day of the run. An archived
file keeps what the history shows (each record's verdict, status and probe
version, the platform and the run's provenance) and leaves out the
observations and the embedded probe text: about a tenth of the results file,
still a valid results file. Only complete runs are archived.

View (browser-compat-data style): per probe and platform lineage (OS, machine,
Python and runner image name: what stays the same while the image updates),
the runs in version order collapse into ranges of equal verdicts; a range that
starts with a different verdict than the range before it is a change between
two consecutive versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from matrix.files.read import Unreadable, parse_json, read_bounded
from matrix.results.document import results_text, write_text_atomic
from matrix.results.document_types import Record, ResultsDocument
from matrix.results.records import verdict_or_status
from matrix.table.merge import Skipped, _version_key, load_results, results_files
from matrix.table.nogc import without_gc

DEFAULT_KEEP = 26  # half a year of weekly runs whose results changed
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._+-]")


@dataclass(frozen=True)
class Entry:
    lineage: str
    family: str
    version: str
    started: str
    verdicts: dict[str, str]


@dataclass(frozen=True)
class Range:
    first: str
    last: str
    verdict: str
    runs: int
    changed: bool  # the verdict differs from the range before (consecutive versions)


def version_of(document: ResultsDocument) -> str:
    source = document.get("source") or {}
    return str(source.get("image_version") or document["started"][:10])


def lineage_of(document: ResultsDocument) -> tuple[str, str]:
    """(family, lineage label): what stays the same while the runner image updates."""
    platform = document["platform"]
    python = ".".join(str(platform["python_version"]).split(".")[:2])
    image = (document.get("source") or {}).get("image_os")
    label = f"{platform['os']} {platform['machine']} py{python}" + (f" ({image})" if image else "")
    return str(platform["os"]), label


def archive_name(document: ResultsDocument) -> str:
    key = _UNSAFE_NAME.sub("_", str(document["platform"]["key"]))
    return f"{key}@{_UNSAFE_NAME.sub('_', version_of(document))}.json"


# What an archived record keeps: what the history view and a later diff read.
_ARCHIVED_RECORD_KEYS = ("id", "sha256", "status", "verdict", "reason", "unstable", "repeat")


def archived(document: ResultsDocument) -> ResultsDocument:
    """``document`` without observations, probe text, output tails and timings."""
    reduced = document.copy()
    records: list[Record] = []
    for record in document["probes"]:
        kept = {key: value for key, value in record.items() if key in _ARCHIVED_RECORD_KEYS}
        records.append(cast(Record, kept))
    reduced["probes"] = records
    return reduced


def add(
    files: list[Path], folder: Path, keep: int = DEFAULT_KEEP
) -> tuple[list[str], list[Skipped]]:
    """Archive valid, complete results files into ``folder`` (one per key and version; a
    newer run of the same version replaces it) and drop the oldest beyond ``keep`` per
    key. A partial run (``complete: false``) is refused: history holds whole runs."""
    folder.mkdir(parents=True, exist_ok=True)
    added, skipped, keys = [], [], set()
    for file in files:
        loaded = load_results(file)
        if isinstance(loaded, Skipped):
            skipped.append(loaded)
            continue
        if not loaded["complete"]:
            skipped.append(Skipped(str(file), "is a partial run (complete: false): not archived"))
            continue
        name = archive_name(loaded)
        write_text_atomic(folder / name, results_text(archived(loaded)))
        added.append(name)
        keys.add(name.split("@", 1)[0])
    for key in keys:
        versions = [p for p in folder.glob("*.json") if p.name.split("@", 1)[0] == key]
        versions.sort(key=lambda p: _started(p))
        for old in versions[: max(0, len(versions) - keep)]:
            old.unlink()
    return added, skipped


def _started(path: Path) -> str:
    # Archived files came from artifacts: read them bounded, like every results reader.
    try:
        document = parse_json(read_bounded(path))
    except Unreadable:
        return ""
    return str(document.get("started", "")) if isinstance(document, dict) else ""


@without_gc
def load(paths: list[Path]) -> tuple[list[Entry], list[Skipped]]:
    """Every results file under ``paths``, reduced to its verdicts (bounded memory:
    observations are not kept)."""
    entries, skipped = [], []
    for file in results_files(paths):
        loaded = load_results(file)
        if isinstance(loaded, Skipped):
            skipped.append(loaded)
            continue
        family, lineage = lineage_of(loaded)
        entries.append(
            Entry(
                lineage=lineage,
                family=family,
                version=version_of(loaded),
                started=str(loaded["started"]),
                verdicts={r["id"]: verdict_or_status(r) for r in loaded["probes"]},
            )
        )
    return entries, skipped


@without_gc
def ranges(entries: list[Entry]) -> dict[str, dict[str, list[Range]]]:
    """probe id -> lineage -> its verdict ranges in version order. Linear in the
    number of cells after one sort per lineage."""
    by_lineage: dict[str, list[Entry]] = {}
    for entry in entries:
        by_lineage.setdefault(entry.lineage, []).append(entry)
    result: dict[str, dict[str, list[Range]]] = {}
    for lineage in sorted(by_lineage):
        runs = sorted(by_lineage[lineage], key=lambda e: (_version_key(e.version), e.started))
        # Several runs of one version: the newest counts, as for re-runs in the table.
        newest: dict[str, Entry] = {}
        for entry in runs:
            newest[entry.version] = entry
        ordered = list(newest.values())
        probes = sorted({p for entry in ordered for p in entry.verdicts})
        for probe in probes:
            spans: list[Range] = []
            for entry in ordered:
                verdict = entry.verdicts.get(probe)
                if verdict is None:
                    continue
                if spans and spans[-1].verdict == verdict:
                    last = spans[-1]
                    spans[-1] = Range(
                        last.first, entry.version, verdict, last.runs + 1, last.changed
                    )
                else:
                    spans.append(Range(entry.version, entry.version, verdict, 1, bool(spans)))
            result.setdefault(probe, {})[lineage] = spans
    return result
