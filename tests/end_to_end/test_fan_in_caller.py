"""The reusable workflow's fan-in for a caller's probes, run with the workflow's own steps.

A caller's probe files live in its repository; the fan-in job never checks
them out, so titles, documentation and assumptions must come from the results
files. One leg is a real run on this machine; the other is synthetic, on a
fictional platform, written under tmp_path.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import results_document
from helpers.workflow_steps import Stubs, step
from helpers.workflow_steps import run_step as run_step_in

from matrix.cli import main

CALLER_PROBE = """\
id: my-reset-check
title: My library treats unread data at close as a reset
question: The peer sends; this side closes without reading. What does the peer's recv see?
tags: [mine]
sources: ["RFC 1122 section 4.2.2.13, https://www.rfc-editor.org/rfc/rfc1122"]
sockets:
  - pair: [local, peer]
steps:
  - {op: sendall, socket: peer, data: hello}
  - {op: sleep, seconds: 0.1}
  - {op: close, socket: local, name: close}
  - {op: recv, socket: peer, name: peer-recv, within: 2}
verdict: [close, peer-recv]
assumptions:
  all:
    close: {outcome: returned}
"""


def run_step(step_name: str, summary: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """Run the table job's step as the workflow does (bash), in the job's workspace."""
    found = step("probe-matrix.yml", "table", step_name)
    env = Stubs(root / "stubs").env(GITHUB_STEP_SUMMARY=str(summary))
    env["ARTIFACT_URL"] = "https://github.com/example/caller/actions/runs/1"
    return run_step_in(found, root, env)


def fictional_leg(real: dict[str, Any], close_outcome: str) -> dict[str, Any]:
    leg = copy.deepcopy(real)
    # Only the observations come from the real run; the platform is wholly fictional.
    leg["platform"] = results_document(os="fakeos", version="9.9", python="3.12.0")["platform"]
    for observation in leg["probes"][0]["observations"]:
        if observation["name"] == "close":
            observation["outcome"] = close_outcome
    return leg


@pytest.fixture
def collected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    caller = tmp_path / "caller" / "my-probes"
    caller.mkdir(parents=True)
    (caller / "my-reset-check.yaml").write_text(CALLER_PROBE, encoding="utf-8")
    # download-artifact without merge-multiple: one folder per leg.
    out = tmp_path / "collected" / "sockmatrix-results-here"
    assert main(["run", "caller/my-probes", "--output", str(out / "real.json"), "--quiet"]) == 0
    # The fan-in job has no caller checkout: only the downloaded results remain.
    (caller / "my-reset-check.yaml").unlink()
    return out


@pytest.mark.slow
def test_fan_in_shows_a_callers_probe_with_its_title_and_fails_on_a_broken_assumption(
    collected: Path, tmp_path: Path
) -> None:
    real = json.loads((collected / "real.json").read_text(encoding="utf-8"))
    broken = fictional_leg(real, close_outcome="raised")
    other_leg = collected.parent / "sockmatrix-results-fakeos"
    other_leg.mkdir()
    (other_leg / "fakeos.json").write_text(json.dumps(broken), encoding="utf-8")
    summary = tmp_path / "summary.md"

    assert run_step("Merge into the table", summary, tmp_path).returncode == 0
    assert run_step("Job summary", summary, tmp_path).returncode == 0
    page = (tmp_path / "matrix-out" / "MATRIX.md").read_text(encoding="utf-8")
    assert "My library treats unread data at close as a reset" in page
    assert "no longer in the library" not in page and "not in library" not in page

    failed = run_step("Fail on broken assumptions", summary, tmp_path)
    assert failed.returncode == 1
    # An annotation on the caller's own file and line, with its path in the caller's repository.
    assert "::error file=my-probes/my-reset-check.yaml,line=16,title=broken assumption::" in (
        failed.stdout
    )
    text = summary.read_text(encoding="utf-8")
    assert "**1 broken assumption(s)**" in text
    assert "my-reset-check | close | fakeos-9.9-x86\\_64-py3.12" in text
    assert "caller/my-probes/my-reset-check.yaml:16" in text


@pytest.mark.slow
def test_fan_in_check_passes_when_every_leg_keeps_the_assumptions(
    collected: Path, tmp_path: Path
) -> None:
    real = json.loads((collected / "real.json").read_text(encoding="utf-8"))
    other_leg = collected.parent / "sockmatrix-results-fakeos"
    other_leg.mkdir()
    (other_leg / "fakeos.json").write_text(
        json.dumps(fictional_leg(real, close_outcome="returned")), encoding="utf-8"
    )
    summary = tmp_path / "summary.md"
    assert run_step("Fail on broken assumptions", summary, tmp_path).returncode == 0
    assert "all hold" in summary.read_text(encoding="utf-8")
