"""A leg whose run is killed outright still hands every finished record to the fan-in.

A run writes its first record whole and appends the others to a journal
beside the file (matrix.results.journal); only a run that ends, or is stopped
with SIGTERM, folds the journal in. A run killed with SIGKILL (the OOM killer,
a runner that went away) leaves the journal as it is. So every leg uploads the
journal with its file, and every reader of the artifacts folds it in. Here a
real run is killed with SIGKILL once three probes have finished; the upload
step's own ``path:`` patterns pick the files, and the fan-in's own scripts read
them. Only the upload itself (GitHub's) is stubbed, by a copy.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.paths import REPO
from helpers.probes import slow_probe
from helpers.waiting import wait_for

from matrix.files.journal import journal_path, read_journal
from matrix.files.read import MAX_RESULTS_BYTES
from matrix.tools.ci_overlay import found_files, plan

WORKFLOW = REPO / ".github" / "workflows" / "probe-matrix.yml"
QUICK = ("quick-a", "quick-b", "quick-c")
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def _leg_uploads() -> dict[str, list[str]]:
    """Each job's upload of its leg's results: job -> the `path:` patterns."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    found = {}
    for name, job in jobs.items():
        for step in job.get("steps", []):
            path = step.get("with", {}).get("path", "")
            if "upload-artifact" in step.get("uses", "") and "leg-results" in path:
                found[name] = path.split()
    return found


def test_every_leg_uploads_its_journal_with_its_results() -> None:
    uploads = _leg_uploads()
    assert len(uploads) == 8  # the hosted legs and the seven extra stacks
    for job, patterns in uploads.items():
        assert patterns == ["leg-results/*.json", "leg-results/*.json.journal"], job


def _journal_records(folder: Path) -> int:
    """How many records the run's journal holds, as its own reader reads it."""
    for results in folder.glob("*.json"):
        journal = read_journal(results, MAX_RESULTS_BYTES)
        return len(journal.lines) if journal is not None else 0
    return 0


def _killed_run(tmp_path: Path) -> Path:
    """The workspace of a leg whose run was killed with SIGKILL after three records."""
    probes = tmp_path / "probes"
    probes.mkdir()
    # The long probe starts first (longest first) and is still running at the kill.
    (probes / "hangs.yaml").write_text(slow_probe("hangs", 25, time_limit=60), encoding="utf-8")
    for name in QUICK:
        (probes / f"{name}.yaml").write_text(slow_probe(name, 0.01), encoding="utf-8")
    workspace = tmp_path / "workspace"
    leg = workspace / "leg-results"
    leg.mkdir(parents=True)
    run = subprocess.Popen(
        [sys.executable, "-m", "matrix", "run", str(probes), "-n", "2", "--quiet"],
        cwd=workspace,
        env={**os.environ, "SOCKMATRIX_RESULTS_DIR": str(leg)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The first record is in the file; the two after it only in the journal.
        wait_for(lambda: _journal_records(leg) >= 2, timeout=120)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait(30)
    return workspace


def _uploaded(workspace: Path, collected: Path) -> list[Path]:
    """What the hosted leg's upload step takes, laid out as download-artifact does."""
    artifact = collected / "sockmatrix-results-rehearsal"
    artifact.mkdir(parents=True)
    taken = []
    for pattern in _leg_uploads()["probes"]:
        for path in sorted(workspace.glob(pattern)):
            taken.append(Path(shutil.copy(path, artifact / path.name)))
    return taken


@POSIX_ONLY
def test_a_leg_killed_outright_loses_no_finished_record(tmp_path: Path) -> None:
    workspace = _killed_run(tmp_path)
    (results,) = (workspace / "leg-results").glob("*.json")
    assert journal_path(results).exists(), "the kill left the journal: the case under test"

    collected = tmp_path / "collected"
    taken = _uploaded(workspace, collected)
    assert sorted(p.name for p in taken) == [results.name, journal_path(results).name]

    # The refresh and the page lay the collected files over results/ (ci_overlay).
    committed = tmp_path / "results"
    committed.mkdir()
    laid = plan(committed, found_files(collected))
    (document,) = laid.write.values()
    finished: dict[str, Any] = {r["id"]: r["status"] for r in document["probes"]}
    assert {probe: finished.get(probe) for probe in QUICK} == dict.fromkeys(QUICK, "ok")
    assert document["complete"] is False

    # The reusable workflow's fan-in hands the same files to `sockmatrix table`.
    output = tmp_path / "table.txt"
    fan_in = [sys.executable, "-m", "matrix.tools.ci_fan_in", "table", str(collected)]
    table = subprocess.run(
        [*fan_in, "--format", "text", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert table.returncode == 0, table.stdout + table.stderr
    shown = output.read_text(encoding="utf-8")
    assert all(probe in shown for probe in QUICK), shown
