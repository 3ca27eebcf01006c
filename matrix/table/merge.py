"""Merge results files from many platforms into one matrix of verdicts.

Rules of this module:
- A results file that cannot be read (not JSON, truncated, wrong schema,
  unknown schema version) is reported by name with the reason and left out;
  the others are still merged.
- One column per platform key. Several files for one key are re-runs: the
  newest counts, and a probe whose verdicts disagree between them is
  ``unstable``, showing every verdict seen.
- A cell is ``stale`` when its results came from another tool version or from
  another version of the probe file (sha256), never silently mixed.
- Only observed cells get marks (A, B, …) and decide whether a row differs. A
  platform family with no observed column but a documented expectation gets a
  ``documented`` cell, visibly not an observation.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import matrix
from matrix.engine.observation_types import Observation
from matrix.language.evidence import by_family, kind_of
from matrix.language.os_families import table_position
from matrix.language.probe_types import Documented, Expectation
from matrix.probe.model import ProbeFile
from matrix.results.document import SCHEMA_VERSION
from matrix.results.document_types import Record, ResultsDocument
from matrix.results.embedded_probe import embedded_probes
from matrix.results.identity import collision_reason
from matrix.results.read import Unreadable, read_results
from matrix.results.records import verdict_or_status
from matrix.table.compare import differing_parts, documentation_says_differs
from matrix.table.model import CONTRADICTION_FLAGS

# Re-exported: renderers and tests import the model from here.
from matrix.table.model import ROW_FILTERS as ROW_FILTERS
from matrix.table.model import Cell as Cell
from matrix.table.model import Column as Column
from matrix.table.model import Contradiction as Contradiction
from matrix.table.model import Matrix as Matrix
from matrix.table.model import Row as Row
from matrix.table.model import Skipped as Skipped
from matrix.table.nogc import without_gc

# A repeated run may report any number of verdicts; the table names the most
# frequent few and counts the rest.
MAX_VERDICTS_SEEN = 8


def load_results(path: Path) -> ResultsDocument | Skipped:
    """One results file, checked, or the reason it cannot be used."""
    try:
        return read_results(path, SCHEMA_VERSION)
    except Unreadable as exc:
        return Skipped(str(path), str(exc))


def _version_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort '10.0.26100' after '10.0.9200' and '15.10' after '15.9'."""
    return tuple(
        (0, int(p)) if p.isascii() and p.isdigit() else (1, p) for p in re.split(r"[.\-_]", text)
    )


def column_order(column: Column) -> tuple[Any, ...]:
    return (
        table_position(column.os),
        column.os,
        column.documented_only,
        _version_key(column.os_version),
        column.machine,
        _version_key(column.python),
    )


def _column_of(document: ResultsDocument, file: str) -> Column:
    platform = document["platform"]
    return Column(
        key=platform["key"],
        os=platform["os"],
        os_version=platform["os_version"],
        machine=platform["machine"],
        python=".".join(str(platform["python_version"]).split(".")[:2]),
        tool_version=document["tool"]["version"],
        started=document["started"],
        finished=document.get("finished"),
        complete=bool(document["complete"]),
        source=dict(document.get("source", {})),
        files=[file],
        stack=str(platform.get("stack", "")),
        api=str(document.get("api", "")),
        os_api=str(platform.get("os_api", "")),
    )


def api_differences(row: Row, columns: list[Column]) -> list[tuple[Column, Column]]:
    """(native column, CPython column) pairs of one platform whose verdicts differ here.

    Each is a finding about CPython rather than the OS: its socket module
    changes what a Python program sees (issue 9).
    """
    from matrix.results.document import PYTHON_API_SUFFIX

    by_key = {c.key: c for c in columns}
    pairs = []
    for column in columns:
        if column.api != "python" or not column.key.endswith(PYTHON_API_SUFFIX):
            continue
        native = by_key.get(column.key[: -len(PYTHON_API_SUFFIX)])
        if native is None:
            continue
        cells = row.cells.get(native.key), row.cells.get(column.key)
        if all(c is not None and c.kind == "observed" for c in cells) and (
            cells[0].verdict != cells[1].verdict  # type: ignore[union-attr]
        ):
            pairs.append((native, column))
    return pairs


def _mark_names() -> Iterator[str]:
    """A, B, … Z, AA, AB, … ZZ, AAA, …: never runs out (a file may hold 703 verdicts)."""
    for length in itertools.count(1):
        for letters in itertools.product(string.ascii_uppercase, repeat=length):
            yield "".join(letters)


def matches_expectation(
    expect: dict[str, Expectation], observations: list[Observation]
) -> list[str]:
    """The expected observations the actual ones contradict (empty: consistent)."""
    seen = {o.get("name"): o for o in observations}
    contradicted = []
    for name, fields in expect.items():
        observed = seen.get(name)
        if observed is None:
            continue
        actual = {
            "outcome": observed.get("outcome"),
            "timing": observed.get("timing"),
            "summary": observed.get("summary"),
            "error": (observed.get("error") or {}).get("portable"),
        }
        if any(actual.get(key) != value for key, value in fields.items()):
            contradicted.append(name)
    return contradicted


def merge(
    documents: list[tuple[str, ResultsDocument]],
    probes: list[ProbeFile],
    skipped: list[Skipped] | None = None,
    fallback: list[ProbeFile] | None = None,
) -> Matrix:
    """Build the matrix from (file name, results document) pairs and the probe library."""
    by_key: dict[str, list[tuple[str, ResultsDocument]]] = {}
    skipped = list(skipped or [])
    for file, document in documents:
        entries = by_key.setdefault(document["platform"]["key"], [])
        collision = _key_collision(file, document, entries)
        if collision is not None:
            skipped.append(collision)  # an error naming both files, never an overwrite
            continue
        entries.append((file, document))

    columns: list[Column] = []
    runs: dict[str, list[dict[str, Record]]] = {}
    for key, entries in by_key.items():
        entries.sort(key=lambda entry: entry[1]["started"], reverse=True)  # newest first
        column = _column_of(entries[0][1], entries[0][0])
        column.files = [file for file, _ in entries]
        columns.append(column)
        runs[key] = [{p["id"]: p for p in doc["probes"]} for _, doc in entries]

    # Probe text: files given (--probes) win, then what the results embed, then
    # the fallback (the built-in library, for results written before embedding).
    library = {
        **{p.id: p for p in fallback or []},
        **embedded_probes(documents),
        **{p.id: p for p in probes},
    }
    # Rows are the probes some platform ran; the library adds titles, sources,
    # documentation and the current sha256.
    probe_ids = sorted({pid for rs in runs.values() for r in rs for pid in r})
    observed_families = {c.os for c in columns}
    documented_families = {
        family
        for pid in probe_ids
        if pid in library
        for family in by_family(library[pid].data.get("documented"))
    } - observed_families
    # Appended in any order: columns.sort(key=column_order) below places them.
    for family in documented_families:
        columns.append(
            Column(
                key=f"{family}-documented",
                os=family,
                os_version="",
                machine="",
                python="",
                tool_version="",
                started="",
                finished=None,
                complete=True,
                source={},
                files=[],
                documented_only=True,
            )
        )
    columns.sort(key=column_order)

    rows = [_row(pid, library.get(pid), columns, runs) for pid in probe_ids]
    return Matrix(columns, rows, skipped)


def _key_collision(
    file: str, document: ResultsDocument, entries: list[tuple[str, ResultsDocument]]
) -> Skipped | None:
    """Two platforms sharing one key (not re-runs of one): refuse the second, naming both."""
    reason = collision_reason(document, entries)
    return Skipped(file, reason) if reason else None


def _row(
    probe_id: str,
    probe: ProbeFile | None,
    columns: list[Column],
    runs: dict[str, list[dict[str, Record]]],
) -> Row:
    # A probe with no text (not in the library, not embedded) shows its id alone.
    data: Mapping[str, Any] = probe.data if probe is not None else {}
    documented: dict[str, list[Documented]] = by_family(data.get("documented"))
    cells: dict[str, Cell] = {}
    legend: dict[str, str] = {}
    names = _mark_names()
    marks: dict[str, str] = {}
    for column in columns:
        evidence = documented.get(column.os, [])
        records = [r[probe_id] for r in runs.get(column.key, []) if probe_id in r]
        if not records:
            cells[column.key] = Cell(
                kind="documented" if evidence else "missing", evidence=list(evidence)
            )
            continue
        newest = records[0]
        cell = Cell(
            kind="observed",
            status=newest["status"],
            verdict=newest.get("verdict"),
            record=newest,
            evidence=list(evidence),
        )
        verdicts = list(dict.fromkeys(verdict_or_status(r) for r in records))
        counts = newest.get("repeat", {}).get("verdicts", {})
        if newest.get("unstable"):
            cell.flags.append("unstable")
            runs_total = newest.get("repeat", {}).get("runs", len(records))
            frequent = sorted(counts.items(), key=lambda item: -item[1])
            cell.verdicts_seen = [
                f"{verdict} ({n} of {runs_total} runs)"
                for verdict, n in frequent[:MAX_VERDICTS_SEEN]
            ]
            if len(frequent) > MAX_VERDICTS_SEEN:
                cell.verdicts_seen.append(
                    f"{len(frequent) - MAX_VERDICTS_SEEN} more verdicts "
                    f"({sum(n for _, n in frequent[MAX_VERDICTS_SEEN:])} runs)"
                )
        elif len(verdicts) > 1:
            cell.flags.append("unstable")
            cell.verdicts_seen = verdicts
        other_probe_file = probe is not None and newest.get("sha256") != probe.sha256
        if column.tool_version != matrix.__version__ or other_probe_file:
            cell.flags.append("stale")
        if probe is None:
            cell.flags.append("not in library")
        if not column.complete:
            cell.flags.append("incomplete run")
        if newest["status"] == "ok" and cell.verdict is not None:
            if cell.verdict not in marks:
                marks[cell.verdict] = next(names)
                legend[marks[cell.verdict]] = cell.verdict
            cell.mark = marks[cell.verdict]
            _contradictions(cell, newest.get("observations", []))
        cells[column.key] = cell
    parts = differing_parts(list(legend.values()))
    representatives: dict[str, list[Observation]] = {}
    for cell in cells.values():
        if cell.mark and cell.mark not in representatives and cell.record is not None:
            representatives[cell.mark] = cell.record.get("observations", [])
    unobserved = [
        [entry["expect"] for entry in cell.evidence if entry.get("expect")]
        for cell in cells.values()
        if cell.kind == "documented"
    ]
    return Row(
        id=probe_id,
        title=str(data.get("title", probe_id)),
        question=str(data.get("question", "")),
        tags=list(data.get("tags", [])),
        sources=[str(s) for s in data.get("sources", [])],
        documented=documented,
        cells=cells,
        legend=legend,
        in_library=probe is not None,
        distinct={mark: parts[verdict] for mark, verdict in legend.items()},
        documentation_differs=documentation_says_differs(
            unobserved, list(representatives.values()), matches_expectation
        ),
        runtimes=list(data.get("runtimes", [])),
        bites=list(data.get("bites", [])),
    )


def _contradictions(cell: Cell, observations: list[Observation]) -> None:
    """Check an observed cell against each of its family's entries: the steps each
    contradicts, and one flag per kind of entry contradicted (strongest first)."""
    for entry in cell.evidence:
        if not entry.get("expect"):
            continue
        steps = matches_expectation(entry["expect"], observations)
        if steps:
            cell.contradictions.append(Contradiction(entry, steps))
            cell.contradicts += [step for step in steps if step not in cell.contradicts]
    kinds = {kind_of(c.entry) for c in cell.contradictions}
    cell.flags += [flag for kind, flag in CONTRADICTION_FLAGS.items() if kind in kinds]


@without_gc
def load_and_merge(
    result_paths: list[Path], probes: list[ProbeFile], fallback: list[ProbeFile] | None = None
) -> Matrix:
    documents: list[tuple[str, ResultsDocument]] = []
    skipped: list[Skipped] = []
    for path in result_paths:
        loaded = load_results(path)
        if isinstance(loaded, Skipped):
            skipped.append(loaded)
        else:
            documents.append((path.name, loaded))
    return merge(documents, probes, skipped, fallback or [])


def results_files(paths: list[Path]) -> list[Path]:
    """Files named directly, and every *.json in folders named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.json") if p.name != "matrix.json"))
        else:
            found.append(path)
    return found
