"""Synthetic results files: obviously fictional platforms only.

Nothing here is an observation of a real OS. Files are written to the test's
own temporary directory, never under results/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matrix
from helpers.paths import REPO

ZERO_SHA = "0" * 64


def observation(
    name: str, summary: str, outcome: str = "returned", error: str | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "op": "recv",
        "socket": "local",
        "thread": None,
        "step_index": 0,
        "outcome": outcome,
        "summary": summary,
        "bound": 1.0,
        "elapsed": 0.001,
        "timing": "immediate",
        "error": None
        if error is None
        else {
            "exception": "OSError",
            "errno": 9999,
            "name": f"TEST_{error}",
            "portable": error,
            "message": "synthetic",
        },
        "value": {},
    }


def record(
    probe_id: str,
    verdict: str | None,
    status: str = "ok",
    sha: str = ZERO_SHA,
    observations: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": probe_id,
        "file": f"probes/{probe_id}.yaml",
        "sha256": sha,
        "status": status,
        "reason": None if status == "ok" else "synthetic failure",
        "duration": 0.1,
        "verdict": verdict,
        "observations": observations or [],
        "cleanup": [],
    }


def results_document(
    os: str = "testos",
    version: str = "1.0",
    machine: str = "x86_64",
    python: str = "3.11.0",
    records: list[dict[str, Any]] | None = None,
    started: str = "2030-01-01T00:00:00+00:00",
    tool_version: str = matrix.__version__,
    complete: bool = True,
    source: dict[str, str] | None = None,
) -> dict[str, Any]:
    key = f"{os}-{version}-{machine}-py{'.'.join(python.split('.')[:2])}"
    return {
        "schema_version": 1,
        "tool": {"name": "sockmatrix", "version": tool_version},
        "platform": {
            "os": os,
            "os_version": version,
            "system": os,
            "release": version,
            "machine": machine,
            "python_implementation": "CPython",
            "python_version": python,
            "key": key,
        },
        "source": source or {},
        "started": started,
        "finished": started,
        "complete": complete,
        "probes": records or [],
    }


def verdicts_document(
    os_name: str,
    verdicts: dict[str, str],
    version: str = "1.0",
    started: str = "2030-01-01T00:00:00+00:00",
    image: tuple[str, str] | None = None,
    python: str = "3.11.0",
) -> dict[str, object]:
    """One platform's results with one record per ``{probe id: verdict}``; "crashed" fails."""
    source = {"image_os": image[0], "image_version": image[1]} if image else {}
    return results_document(
        os=os_name,
        version=version,
        python=python,
        started=started,
        source=source,
        records=[
            record(pid, v) if v != "crashed" else record(pid, None, "crashed")
            for pid, v in verdicts.items()
        ],
    )


def write_results(directory: Path, name: str, document: dict[str, Any]) -> Path:
    real_results = REPO / "results"
    assert directory.resolve() != real_results, "synthetic results never go into results/"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def ids_in(path: Path) -> list[str]:
    """The probe ids a reader sees in a results file on disk (its journal folded in,
    as every reader does); [] while it is missing or unreadable."""
    from matrix.files.read import Unreadable
    from matrix.results.journal import read_folded

    try:
        return [p["id"] for p in read_folded(path)[1]["probes"]]
    except (OSError, ValueError, KeyError, Unreadable):
        return []


def ids_in_file_alone(path: Path) -> list[str]:
    """The probe ids in the results file itself, without its journal."""
    try:
        return [p["id"] for p in json.loads(path.read_text(encoding="utf-8"))["probes"]]
    except (OSError, ValueError, KeyError):
        return []
