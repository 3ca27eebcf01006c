"""The reusable workflow's fan-in for a caller's probes, simulated with the workflow's own commands.

A caller's probe files live in its repository; the fan-in job never checks
them out, so titles, documentation and assumptions must come from the results
files. One leg is a real run on this machine; the other is synthetic, on a
fictional platform, written under tmp_path.
"""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.paths import REPO
from helpers.synthetic import results_document

from matrix.cli import main

WORKFLOW = REPO / ".github" / "workflows" / "probe-matrix.yml"

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


def table_job() -> dict[str, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job: dict[str, Any] = document["jobs"]["table"]
    return job


def commands(step_name: str) -> list[list[str]]:
    """The step's sockmatrix commands, continuation lines joined, not yet expanded."""
    step = next(s for s in table_job()["steps"] if s.get("name") == step_name)
    script = step["run"].replace("\\\n", " ")
    return [
        shlex.split(line)[1:]
        for line in script.splitlines()
        if line.strip().startswith("sockmatrix ")
    ]


def run_step(step_name: str, summary: Path) -> int:
    """Run a step as bash would: the summary variable, the link, collected/* expanded."""
    status = 0
    for argv in commands(step_name):
        expanded: list[str] = []
        for arg in argv:
            if arg == "collected/*":
                expanded += sorted(str(p) for p in Path("collected").iterdir())
            elif arg == "$GITHUB_STEP_SUMMARY":
                expanded.append(str(summary))
            elif arg.startswith("${ARTIFACT_URL"):
                expanded.append("https://github.com/example/caller/actions/runs/1")
            else:
                expanded.append(arg)
        status = max(status, main(expanded))
    return status


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

    assert run_step("Merge into the table", summary) == 0
    assert run_step("Job summary", summary) == 0
    page = (tmp_path / "matrix-out" / "MATRIX.md").read_text(encoding="utf-8")
    assert "My library treats unread data at close as a reset" in page
    assert "no longer in the library" not in page and "not in library" not in page

    assert run_step("Fail on broken assumptions", summary) == 1
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
    assert run_step("Fail on broken assumptions", summary) == 0
    assert "all hold" in summary.read_text(encoding="utf-8")
