"""What a results record carries of its probe, so results files stand alone.

A record embeds the probe's title, question, tags, sources, notes, documented
expectations, runtimes, bites and assumptions (with their lines) under ``probe``; with the
record's ``file`` and ``sha256`` that is everything `table`, `check` and `show`
need. A caller of the reusable workflow, whose probe files never reach the
fan-in job, therefore gets titles and documentation too. Probe files given
with ``--probes`` still win: they refresh the text without a re-run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from matrix.language.expectations import MAX_ALTERNATIVES
from matrix.language.probe_types import Probe
from matrix.probe.assumptions import from_probe
from matrix.probe.model import TEXT_KEYS, ProbeFile
from matrix.results.document_types import EmbeddedProbe

# The fields of a documented or runtime entry a reader keeps, by type: results
# files are hostile, and renderers index these freely.
_TEXT_FIELDS = ("source", "quote", "kind", "repository", "commit", "path", "os_version")
_RUNTIME_TEXT = ("runtime", "effect", "says", "source", "quote", "repository", "commit", "path")
_LINE_FIELDS = ("line", "last_line")


def probe_metadata(probe: ProbeFile) -> EmbeddedProbe:
    """The part of a probe that a results record embeds."""
    data = probe.data
    meta: EmbeddedProbe = {}
    for key in TEXT_KEYS:
        if key in data:
            meta[key] = data[key]
    assumptions = from_probe(probe.data, probe.lines)
    if assumptions:
        meta["assumptions"] = [a.to_json() for a in assumptions]
    return meta


def embedded_probes(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, ProbeFile]:
    """Probe id → the probe as the newest run that embedded it saw it.

    Older results files embed nothing; their probes are simply absent here.
    """
    found: dict[str, ProbeFile] = {}
    newest: dict[str, str] = {}
    for _, document in documents:
        started = str(document.get("started", ""))
        for record in document.get("probes", []):
            meta = record.get("probe")
            if not isinstance(meta, dict) or not isinstance(meta.get("title"), str):
                continue
            probe_id = str(record["id"])
            if probe_id in newest and newest[probe_id] >= started:
                continue
            newest[probe_id] = started
            data: dict[str, Any] = {key: meta[key] for key in TEXT_KEYS if key in meta}
            data["id"] = probe_id
            data["documented"] = _documented(data.get("documented"))
            data["runtimes"] = _runtimes(data.get("runtimes"))
            data["bites"] = _bites(data.get("bites"))
            for key in ("question", "notes"):
                if not isinstance(data.get(key), str):
                    data.pop(key, None)
            for key in ("tags", "sources"):
                items = data.get(key)
                data[key] = (
                    [i for i in items if isinstance(i, str)] if isinstance(items, list) else []
                )
            # The probe's text, without its scenario (sockets, steps, verdict): such a
            # ProbeFile is shown (table, show), never run.
            text = cast(Probe, data)
            path = Path(str(record.get("file") or f"{probe_id}.yaml"))
            found[probe_id] = ProbeFile(path, text, str(record["sha256"]))
    return found


def _fields(entry: dict[str, Any], text: tuple[str, ...]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: entry[key] for key in text if isinstance(entry.get(key), str)}
    for key in _LINE_FIELDS:
        value = entry.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            kept[key] = value
    return kept


def _entry(entry: Any) -> dict[str, Any] | None:
    if not isinstance(entry, dict):
        return None
    kept = _fields(entry, _TEXT_FIELDS)
    if not ("source" in kept and "quote" in kept):
        return None
    expect = entry.get("expect")
    if isinstance(expect, dict):
        kept["expect"] = {
            str(step): {k: w for k, v in fields.items() if (w := _words(v)) is not None}
            for step, fields in expect.items()
            if isinstance(fields, dict)
        }
    return kept


def _documented(value: Any) -> dict[str, Any]:
    """Only well-formed entries: renderers index source, quote and expect freely.

    A family holds one entry (files written before lists) or a list; either is
    kept as it came, entry by entry."""
    clean: dict[str, Any] = {}
    for family, item in value.items() if isinstance(value, dict) else ():
        if isinstance(item, list):
            kept = [e for e in map(_entry, item) if e is not None]
            if kept:
                clean[str(family)] = kept
        elif (single := _entry(item)) is not None:
            clean[str(family)] = single
    return clean


def _runtimes(value: Any) -> list[dict[str, Any]]:
    found = []
    for entry in value if isinstance(value, list) else ():
        if not isinstance(entry, dict):
            continue
        kept = _fields(entry, _RUNTIME_TEXT)
        if all(key in kept for key in ("runtime", "effect", "says", "source", "quote")):
            found.append(kept)
    return found


def _bites(value: Any) -> list[dict[str, Any]]:
    found = []
    for bite in value if isinstance(value, list) else ():
        if not (isinstance(bite, dict) and isinstance(bite.get("behaviour"), str)):
            continue
        issues = bite.get("issues")
        kept = [
            {"url": issue["url"], "shows": issue["shows"]}
            for issue in (issues if isinstance(issues, list) else ())
            if isinstance(issue, dict)
            and isinstance(issue.get("url"), str)
            and isinstance(issue.get("shows"), str)
        ]
        found.append({"behaviour": bite["behaviour"], "issues": kept})
    return found


def _words(value: Any) -> str | list[str] | None:
    """An expectation's field: a word, or a list of words meaning any of them
    (matrix.language.expectations); anything else is dropped, not guessed at."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value[:MAX_ALTERNATIVES])
    return None
