"""What changed between two runs: only the cells whose verdict differs.

Each side is a results file, a folder of them, or a merged matrix (matrix.json).
Platforms pair up by key; a platform whose key changed (a new OS image, a new
OS version) pairs with the one platform on the other side of the same OS,
machine and Python when that pairing is unambiguous. Unpaired platforms are
listed as added or not present, never as changed cells.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastjsonschema

from matrix.files.read import Unreadable, parse_json, read_bounded
from matrix.results.document_types import Platform as PlatformDetails
from matrix.results.document_types import ResultsDocument
from matrix.results.records import verdict_or_status
from matrix.schemas.paths import MATRIX_SCHEMA_PATH
from matrix.table.compare import differing_parts
from matrix.table.merge import Skipped, load_results, results_files
from matrix.table.model import MATRIX_FORMAT


@dataclass
class Platform:
    key: str
    label: str
    slot: tuple[str, str, str]  # os, machine, python: what stays when the image changes
    started: str
    verdicts: dict[str, str]  # probe id -> verdict or status
    # What decides a cell's stale and incomplete marks besides its verdict.
    stamps: dict[str, str] = field(default_factory=dict)  # probe id -> probe sha256
    tool_version: str = ""
    complete: bool = True


@dataclass
class Snapshot:
    platforms: dict[str, Platform] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    probe: str
    title: str
    old_platform: str
    new_platform: str
    old: str | None  # None: the probe did not run there
    new: str | None

    @property
    def parts(self) -> tuple[str, str]:
        """The parts of each verdict that differ from the other (all of it if one is None)."""
        if self.old is None or self.new is None:
            return self.old or "", self.new or ""
        shown = differing_parts([self.old, self.new])
        return shown[self.old], shown[self.new]


@dataclass
class Diff:
    changes: list[Change]
    added: list[str]
    removed: list[str]
    compared: list[tuple[str, str]]
    skipped: list[Skipped]
    # Cells with the same verdict whose marks change: measured with another probe
    # file or sockmatrix version, or now from a complete run.
    refreshed: list[Change] = field(default_factory=list)
    # (old label, new label) of paired platforms whose key changed.
    renamed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the table would show anything different."""
        return bool(self.changes or self.added or self.removed or self.refreshed or self.renamed)


def _label(platform: PlatformDetails) -> str:
    python = ".".join(str(platform.get("python_version", "")).split(".")[:2])
    return f"{platform['os']} {platform['os_version']} {platform['machine']} py{python}"


def _add_results(snapshot: Snapshot, name: str, document: ResultsDocument) -> None:
    platform = document["platform"]
    key = platform["key"]
    known = snapshot.platforms.get(key)
    if known is not None and known.started >= document["started"]:
        return  # a re-run: the newest file of a key counts, as in the table
    python = ".".join(str(platform["python_version"]).split(".")[:2])
    snapshot.platforms[key] = Platform(
        key=key,
        label=_label(platform),
        slot=(platform["os"], platform["machine"], python),
        started=document["started"],
        verdicts={r["id"]: verdict_or_status(r) for r in document["probes"]},
        stamps={r["id"]: str(r.get("sha256", "")) for r in document["probes"]},
        tool_version=str(document["tool"]["version"]),
        complete=bool(document["complete"]),
    )
    for record in document["probes"]:
        snapshot.titles.setdefault(record["id"], record["id"])


@functools.cache
def _matrix_validator() -> Any:
    return fastjsonschema.compile(json.loads(MATRIX_SCHEMA_PATH.read_text(encoding="utf-8")))


def _add_matrix(snapshot: Snapshot, name: str, document: dict[str, Any]) -> None:
    try:
        _matrix_validator()(document)
    except fastjsonschema.JsonSchemaValueException as error:
        snapshot.skipped.append(Skipped(name, f"is not a valid merged matrix: {error.message}"))
        return
    for column in document["columns"]:
        if column.get("documented_only"):
            continue
        key = str(column["key"])
        verdicts = {}
        for row in document["rows"]:
            cell = row["cells"].get(key)
            if cell and cell["kind"] == "observed":
                verdicts[row["id"]] = str(cell.get("verdict") or cell.get("status"))
            snapshot.titles.setdefault(row["id"], row.get("title") or row["id"])
        snapshot.platforms[key] = Platform(
            key=key,
            label=str(column.get("label", key)),
            slot=(str(column["os"]), str(column["machine"]), str(column["python"])),
            started=str(column.get("started", "")),
            verdicts=verdicts,
            tool_version=str(column.get("tool_version", "")),
            complete=bool(column.get("complete", True)),
        )


def _peek_matrix(path: Path) -> dict[str, Any] | None:
    """The document if ``path`` is a merged matrix (format sockmatrix-matrix), else None
    (then load_results reads it as a results file, or says by name why not). Read
    like a results file: regular files only, bounded, bounded numbers."""
    try:
        document = parse_json(read_bounded(path))
    except Unreadable:
        return None
    if isinstance(document, dict) and document.get("format") == MATRIX_FORMAT:
        return document
    return None


def snapshot_of(documents: list[tuple[str, ResultsDocument]]) -> Snapshot:
    """A side of the diff from results documents already read and checked."""
    snapshot = Snapshot()
    for name, document in documents:
        _add_results(snapshot, name, document)
    return snapshot


def load_snapshot(path: Path) -> Snapshot:
    """One side of the diff: a results file, a folder of them, or a matrix.json."""
    snapshot = Snapshot()
    if path.is_file() and path.suffix == ".json" and (matrix := _peek_matrix(path)) is not None:
        _add_matrix(snapshot, str(path), matrix)
        return snapshot
    for file in results_files([path]):
        loaded = load_results(file)
        if isinstance(loaded, Skipped):
            snapshot.skipped.append(loaded)
        else:
            _add_results(snapshot, str(file), loaded)
    return snapshot


def _pairs(old: Snapshot, new: Snapshot) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    pairs = [(key, key) for key in old.platforms if key in new.platforms]
    rest_old = [k for k in old.platforms if k not in new.platforms]
    rest_new = [k for k in new.platforms if k not in old.platforms]
    for slot in {old.platforms[k].slot for k in rest_old}:
        olds = [k for k in rest_old if old.platforms[k].slot == slot]
        news = [k for k in rest_new if new.platforms[k].slot == slot]
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
            rest_old.remove(olds[0])
            rest_new.remove(news[0])
    return sorted(pairs), sorted(rest_new), sorted(rest_old)


def _marks_differ(before: Platform, after: Platform, probe: str) -> bool:
    """Same verdict, other marks: another probe file or tool version (known on both
    sides: a merged matrix.json carries no sha256), or a run that (no longer) completed."""
    stamps = before.stamps.get(probe), after.stamps.get(probe)
    tools = before.tool_version, after.tool_version
    return (
        (all(stamps) and stamps[0] != stamps[1])
        or (all(tools) and tools[0] != tools[1])
        or before.complete != after.complete
    )


def diff(old: Snapshot, new: Snapshot) -> Diff:
    pairs, added, removed = _pairs(old, new)
    titles = {**old.titles, **new.titles}
    changes, refreshed, renamed = [], [], []
    for old_key, new_key in pairs:
        before, after = old.platforms[old_key], new.platforms[new_key]
        if old_key != new_key:
            renamed.append((before.label, after.label))
        for probe in sorted(before.verdicts.keys() | after.verdicts.keys()):
            was, now = before.verdicts.get(probe), after.verdicts.get(probe)
            change = Change(probe, titles.get(probe, probe), before.label, after.label, was, now)
            if was != now:
                changes.append(change)
            elif _marks_differ(before, after, probe):
                refreshed.append(change)
    labels = {**{k: p.label for k, p in old.platforms.items()}}
    labels.update({k: p.label for k, p in new.platforms.items()})
    return Diff(
        changes=changes,
        added=[labels[k] for k in added],
        removed=[labels[k] for k in removed],
        compared=[(old.platforms[o].label, new.platforms[n].label) for o, n in pairs],
        skipped=old.skipped + new.skipped,
        refreshed=refreshed,
        renamed=renamed,
    )
