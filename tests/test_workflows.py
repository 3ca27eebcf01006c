"""The GitHub workflows, checked offline: the commands they run, pinning, injection.

The workflows themselves only run on GitHub; tox -e workflows validates them
against GitHub's schema and audits them with zizmor. These tests hold the
project's own rules.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses_lines(path: Path) -> list[str]:
    return [
        line.split("uses:", 1)[1].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(("uses:", "- uses:"))
    ]


def quickstart() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quickstart.*?```\n(.*?)```", readme, re.DOTALL)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"matrix.yml", "probe-matrix.yml"}


def test_each_leg_runs_the_readmes_probe_command() -> None:
    legs = load(REPO / ".github/workflows/probe-matrix.yml")["jobs"]["probes"]
    commands = [
        s["run"].strip()
        for s in legs["steps"]
        if s.get("name", "").startswith("Run the built-in probes")
    ]
    assert commands == [quickstart()[0]]


def test_the_test_job_runs_the_readmes_test_command() -> None:
    tests = load(REPO / ".github/workflows/matrix.yml")["jobs"]["tests"]
    assert [s["run"].strip() for s in tests["steps"] if "run" in s] == [quickstart()[1]]
    assert tests["strategy"]["matrix"]["runner"] == ["ubuntu-24.04", "windows-2025", "macos-15"]


def test_every_hosted_runner_family_is_in_the_one_list() -> None:
    inputs = load(REPO / ".github/workflows/probe-matrix.yml")[True]["workflow_call"]["inputs"]
    runners = yaml.safe_load(inputs["runners"]["default"])
    assert runners == [
        "ubuntu-22.04",
        "ubuntu-24.04",
        "ubuntu-24.04-arm",
        "windows-2022",
        "windows-2025",
        "windows-11-arm",
        "macos-15",
        "macos-26",
        "macos-15-intel",
    ]
    extra = yaml.safe_load(inputs["extra-legs"]["default"])
    per_os = {leg["runner"].split("-")[0] for leg in extra}
    assert per_os == {"ubuntu", "windows", "macos"}
    assert {leg["python"] for leg in extra} == {"3.10", "3.13"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_third_party_actions_are_pinned_to_a_commit_with_its_version(path: Path) -> None:
    for uses in uses_lines(path):
        if uses.startswith("$/"):
            continue  # this repository's own reusable workflow, at the running commit
        assert PINNED.match(uses), uses


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_read_only(path: Path) -> None:
    assert load(path)["permissions"] == {"contents": "read"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    for step in steps(load(path)):
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_target(path: Path) -> None:
    triggers = load(path)[True]  # YAML 1.1 reads the key `on` as True
    assert "pull_request_target" not in triggers


def test_only_publishing_jobs_can_write_and_never_on_pull_requests() -> None:
    jobs = load(REPO / ".github/workflows/matrix.yml")["jobs"]
    writers = {
        name for name, job in jobs.items() if "write" in str(job.get("permissions", {}).values())
    }
    assert writers == {"pages", "refresh-pull-request"}
    for name in writers:
        condition = jobs[name]["if"]
        assert "pull_request" not in condition
        assert "github.event_name == 'push'" in condition
        assert "github.event_name == 'schedule'" in condition


def test_every_leg_uploads_even_when_its_probes_failed() -> None:
    legs = load(REPO / ".github/workflows/probe-matrix.yml")["jobs"]["probes"]
    upload = next(s for s in legs["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "${{ !cancelled() }}"
    assert legs["strategy"]["fail-fast"] is False
    table = load(REPO / ".github/workflows/probe-matrix.yml")["jobs"]["table"]
    assert table["if"] == "${{ !cancelled() }}"


def test_callers_can_fail_the_run_on_broken_assumptions() -> None:
    workflow = load(REPO / ".github/workflows/probe-matrix.yml")
    option = workflow[True]["workflow_call"]["inputs"]["fail-on-broken-assumptions"]
    assert option["type"] == "boolean" and option["default"] is False
    table = workflow["jobs"]["table"]["steps"]
    step = next(s for s in table if s.get("name") == "Fail on broken assumptions")
    assert step["if"] == "${{ !cancelled() && inputs.fail-on-broken-assumptions }}"
    assert step["run"].strip() == 'sockmatrix check collected --summary "$GITHUB_STEP_SUMMARY"'
    assert table[-1] is step, "the merged table is uploaded before the check can fail the job"
