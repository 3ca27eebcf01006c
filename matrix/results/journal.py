"""A results file's journal: the records a run finished since it last wrote the file whole.

A run writes its results file whole at its first record and at its end; in
between, each finished record is one line appended to ``<file>.journal``
(matrix.files.journal), so a record costs its own length, not the file's.
Rules of this module:
- A line is ``{"run": <provenance of its run>, "record": <record>}``, compact
  JSON. The writer checks every record as the readers will read it
  (matrix.results.fit) before its line is appended.
- Every reader folds the journal into the document in memory, never writing
  (:func:`read_folded`; the next run's first write folds it into the file for
  good). A line's record replaces the file's record of its probe unless that
  one comes from a run that started later; lines of one run replace each other
  in order. A line's run becomes the record's ``run`` (its provenance) when it
  is not the file's own run.
- The file and its journal together stay within the reader's limits: their
  bytes within MAX_RESULTS_BYTES, and the parse cost of the file plus that of
  every line within MAX_PARSE_MEMORY. The writer keeps to that (a whole write
  in place of an append that would not); a reader refuses a journal past it.
- A writer appends only while the file and journal are as it left them (a
  whole write by another run changes the file: the writer then writes whole,
  merging it), tracking what each costs a reader (:class:`DiskState`).
- Read the journal, then the file, then check the journal is the one read: if
  not, a whole write folded it into the file in between, and its lines are left
  out (the file holds them). A reader never misses a record finished before it
  began to read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from matrix.files.journal import (
    HEADER_SIZE,
    Journal,
    append_line,
    journal_path,
    journal_token,
    read_journal,
)
from matrix.files.read import (
    MAX_AMPLIFICATION,
    MAX_PARSE_MEMORY,
    MAX_RESULTS_BYTES,
    Unreadable,
    parse_cost,
    parse_json,
    read_bounded,
)
from matrix.files.write import locked
from matrix.results.document_types import Record, RunProvenance


def provenance(document: Mapping[str, Any]) -> RunProvenance:
    """Where a record of ``document``'s run came from: its start, tool and CI source."""
    tool = document.get("tool")
    source = document.get("source")
    return {
        "started": str(document.get("started", "")),
        "tool_version": str(tool.get("version", "")) if isinstance(tool, dict) else "",
        "source": dict(source) if isinstance(source, dict) else {},
    }


def entry_line(record: Record, run: RunProvenance) -> bytes:
    """The journal line of ``record``, finished by ``run``."""
    return (json.dumps({"run": run, "record": record}, allow_nan=False) + "\n").encode("utf-8")


def text_cost(data: bytes) -> int:
    """What parsing ``data`` may cost in memory (matrix.files.read.parse_cost)."""
    return parse_cost(data, data.decode("utf-8", errors="replace"))


def cost_bound(data: bytes) -> int:
    """An upper bound of :func:`text_cost`, counted only where it could matter."""
    if len(data) * MAX_AMPLIFICATION <= MAX_PARSE_MEMORY:
        return len(data) * MAX_AMPLIFICATION
    return text_cost(data)


def read_folded(path: Path) -> tuple[bytes, Any]:
    """The results file's bytes and its document with its journal folded in (not yet
    checked against the schema: matrix.results.read does that), or Unreadable."""
    journal = read_journal(path, MAX_RESULTS_BYTES)
    data = read_bounded(path)
    document = parse_json(data)
    if journal is None or not journal.lines or journal_token(path) != journal.token:
        return data, document
    _check_limits(data, journal)
    entries = [_entry(line) for line in journal.lines]
    return data, fold(document, entries)


def within_limits(size: int, cost: int) -> bool:
    """Whether a file and journal of ``size`` bytes together, whose parse may cost
    ``cost`` (file plus every line), stay within what a reader accepts."""
    if size > MAX_RESULTS_BYTES:
        return False
    return size * MAX_AMPLIFICATION <= MAX_PARSE_MEMORY or cost <= MAX_PARSE_MEMORY


def _check_limits(data: bytes, journal: Journal) -> None:
    total = len(data) + journal.size
    if total > MAX_RESULTS_BYTES:
        raise Unreadable(
            f"and its journal hold {total} bytes, over the {MAX_RESULTS_BYTES} byte limit; not read"
        )
    if total * MAX_AMPLIFICATION <= MAX_PARSE_MEMORY:
        return  # small enough whatever it holds
    cost = text_cost(data) + sum(text_cost(line) for line in journal.lines)
    if not within_limits(total, cost):
        raise Unreadable(
            f"and its journal could take up to {cost // 2**20} MB of memory to load; "
            f"the limit is {MAX_PARSE_MEMORY // 2**20} MB; not read"
        )


def _entry(line: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        entry = parse_json(line)
    except Unreadable as exc:
        raise Unreadable(f"has a journal line that {exc}") from None
    run = entry.get("run") if isinstance(entry, dict) else None
    record = entry.get("record") if isinstance(entry, dict) else None
    has_id = isinstance(record, dict) and isinstance(record.get("id"), str)
    if not (isinstance(run, dict) and isinstance(record, dict) and has_id):
        raise Unreadable("has a journal line that is not a run's record")
    return run, record


def fold(document: Any, entries: list[tuple[dict[str, Any], dict[str, Any]]]) -> Any:
    """``document`` with the journal's records in it (see the module's rules). A
    document whose records are not a list of records with ids is left as it is:
    the schema refuses it."""
    if not isinstance(document, dict) or not isinstance(document.get("probes"), list):
        return document
    if not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in document["probes"]):
        return document
    own = provenance(document)
    records: dict[str, dict[str, Any]] = {r["id"]: r for r in document["probes"]}
    for run, record in entries:
        if run != own:
            record = {**record, "run": run}
        present = records.get(record["id"])
        if present is not None and _started(present, own) > str(run.get("started", "")):
            continue  # the file's record is from a later run
        records[record["id"]] = record
    return {**document, "probes": sorted(records.values(), key=lambda r: str(r["id"]))}


def _started(record: Mapping[str, Any], own: RunProvenance) -> str:
    run = record.get("run")
    return str(run.get("started", "")) if isinstance(run, dict) else own["started"]


class DiskState(NamedTuple):
    """The results file and its journal as a writer last left them, and what
    parsing each may cost (matrix.results.journal: the readers' limits)."""

    file_id: tuple[int, int, int]  # inode, size, mtime: a whole write changes it
    file_size: int
    journal_size: int
    file_cost: int
    journal_cost: int


def disk_state(path: Path, file_cost: int, journal_cost: int) -> DiskState | None:
    """The state now (None: the file is gone)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    try:
        journal_size = os.lstat(journal_path(path)).st_size
    except FileNotFoundError:
        journal_size = 0
    return DiskState(
        (info.st_ino, info.st_size, info.st_mtime_ns),
        info.st_size,
        journal_size,
        file_cost,
        journal_cost,
    )


def append_record(
    path: Path, expected: DiskState, record: Record, run: RunProvenance
) -> DiskState | None:
    """Append ``record`` to ``path``'s journal under the file's lock, if the file and
    journal are still as ``expected`` and the pair stays within the readers' limits;
    the state after it, or None (a whole write must do instead)."""
    line = entry_line(record, run)
    cost = text_cost(line)
    with locked(path):
        if disk_state(path, expected.file_cost, expected.journal_cost) != expected:
            return None  # another run wrote since: a whole write merges it
        size = expected.file_size + expected.journal_size + HEADER_SIZE + len(line)
        if not within_limits(size, expected.file_cost + expected.journal_cost + cost):
            return None
        journal_size = append_line(path, line)
    return expected._replace(journal_size=journal_size, journal_cost=expected.journal_cost + cost)
