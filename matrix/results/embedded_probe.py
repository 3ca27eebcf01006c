"""What a results record carries of its probe, so results files stand alone.

A record embeds the probe's title, question, tags, sources, notes, documented
expectations and assumptions (with their lines) under ``probe``; with the
record's ``file`` and ``sha256`` that is everything `table`, `check` and `show`
need. A caller of the reusable workflow, whose probe files never reach the
fan-in job, therefore gets titles and documentation too. Probe files given
with ``--probes`` still win: they refresh the text without a re-run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

from matrix.language.expectations import MAX_ALTERNATIVES
from matrix.language.probe_types import Probe
from matrix.probe.assumptions import from_probe
from matrix.probe.model import ProbeFile
from matrix.results.document_types import EmbeddedProbe

TEXT_KEYS: tuple[Literal["title", "question", "tags", "sources", "notes", "documented"], ...] = (
    "title",
    "question",
    "tags",
    "sources",
    "notes",
    "documented",
)


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


def _documented(value: Any) -> dict[str, Any]:
    """Only well-formed entries: renderers index source, quote and expect freely."""
    clean: dict[str, Any] = {}
    for family, entry in value.items() if isinstance(value, dict) else ():
        if not isinstance(entry, dict):
            continue
        source, quote = entry.get("source"), entry.get("quote")
        if not (isinstance(source, str) and isinstance(quote, str)):
            continue
        kept: dict[str, Any] = {"source": source, "quote": quote}
        expect = entry.get("expect")
        if isinstance(expect, dict):
            kept["expect"] = {
                str(step): {k: w for k, v in fields.items() if (w := _words(v)) is not None}
                for step, fields in expect.items()
                if isinstance(fields, dict)
            }
        clean[str(family)] = kept
    return clean


def _words(value: Any) -> str | list[str] | None:
    """An expectation's field: a word, or a list of words meaning any of them
    (matrix.language.expectations); anything else is dropped, not guessed at."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value[:MAX_ALTERNATIVES])
    return None
