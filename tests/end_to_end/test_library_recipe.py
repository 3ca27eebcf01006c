"""The recipe for a library's repository (examples/library-repository), rehearsed as a
caller uses it: its workflow's inputs against the reusable workflow's and that
workflow's input checks run on them, its pytest.ini through the plugin, its
pre-commit hook on its probe files.

The legs themselves run only on GitHub; their steps are rehearsed elsewhere
(test_fan_in_caller.py, test_vm_leg_rehearsal.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.paths import REPO
from helpers.workflow_steps import Stubs

from matrix.cli import main

RECIPE = REPO / "examples" / "library-repository"
CALLER = RECIPE / ".github" / "workflows" / "sockets.yml"
REUSABLE = REPO / ".github" / "workflows" / "probe-matrix.yml"


def load(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def caller_job() -> dict[str, Any]:
    (job,) = load(CALLER)["jobs"].values()
    assert isinstance(job, dict)
    return job


def declared_inputs() -> dict[str, Any]:
    inputs: dict[str, Any] = load(REUSABLE)[True]["workflow_call"]["inputs"]
    return inputs


def test_the_caller_gives_only_inputs_the_reusable_workflow_declares_with_their_types() -> None:
    declared = declared_inputs()
    given = caller_job()["with"]
    assert set(given) <= set(declared), set(given) - set(declared)
    for name, value in given.items():
        kind = {"boolean": bool, "string": str, "number": (int, float)}[declared[name]["type"]]
        assert isinstance(value, kind), (name, value)


def test_the_caller_fails_on_broken_assumptions_on_a_short_explicit_runner_list() -> None:
    job = caller_job()
    given = job["with"]
    assert given["fail-on-broken-assumptions"] is True
    runners = json.loads(given["runners"])
    default = json.loads(declared_inputs()["runners"]["default"])
    assert set(runners) <= set(default), "every runner is one the reusable workflow knows"
    assert len(runners) == 3 and len({r.split("-")[0] for r in runners}) == 3, "one per OS"
    # The cost comment's numbers are the reusable workflow's own default.
    text = " ".join(
        line.lstrip("# ").strip() for line in CALLER.read_text(encoding="utf-8").splitlines()
    )
    macos = sum(r.startswith("macos") for r in default)
    assert f"every hosted family ({len(default)} runners, {macos} of them macOS)" in text
    assert "at 2 and 10 times the rate" in text


def test_one_sockmatrix_commit_everywhere_and_the_probe_folder_exists() -> None:
    job = caller_job()
    assert job["uses"] == "OWNER/sockmatrix/.github/workflows/probe-matrix.yml@COMMIT"
    assert job["with"]["sockmatrix-repository"] == "OWNER/sockmatrix"
    assert job["with"]["sockmatrix-ref"] == "COMMIT"
    (repo,) = load(RECIPE / ".pre-commit-config.yaml")["repos"]
    assert (repo["repo"], repo["rev"]) == ("https://github.com/OWNER/sockmatrix", "COMMIT")
    assert (RECIPE / job["with"]["probe-paths"]).is_dir()
    workflow = load(CALLER)
    assert workflow["permissions"] == {"contents": "read"}
    assert {"push", "pull_request"} <= set(workflow[True])


def test_the_reusable_workflows_input_checks_pass_on_the_callers_inputs(tmp_path: Path) -> None:
    given = caller_job()["with"]
    declared = declared_inputs()
    check_steps = load(REUSABLE)["jobs"]["check-inputs"]["steps"]
    ran = 0
    workspace = tmp_path
    for step in check_steps:
        if "run" not in step:
            # The checkout of sockmatrix at the caller's sockmatrix-ref: only GitHub
            # can make it; the steps after it run in this checkout instead.
            assert "actions/checkout" in step["uses"]
            workspace = REPO
            continue
        env = Stubs(tmp_path / f"stubs{ran}").env()
        for key, value in step.get("env", {}).items():
            found = re.fullmatch(r"\$\{\{ inputs\.([\w-]+)(?: \|\| [\w.]+)? \}\}", str(value))
            if found is None:
                continue
            name = found.group(1)
            chosen = given.get(name, declared[name].get("default", ""))
            env[key] = json.dumps(chosen) if isinstance(chosen, bool) else str(chosen)
        if "${{" in step["run"]:
            continue  # reads the checkout the previous (GitHub-only) step made
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (step["name"], done.stdout, done.stderr)
        ran += 1
    assert ran == len(check_steps) - 1, "every check but the checkout ran"


def test_the_pre_commit_hook_matches_and_validates_the_recipes_probes() -> None:
    (repo,) = load(RECIPE / ".pre-commit-config.yaml")["repos"]
    (hook,) = repo["hooks"]
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] in {h["id"] for h in hooks}
    probes = sorted((RECIPE / "socket-checks").glob("*.yaml"))
    assert probes
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p.relative_to(RECIPE).as_posix()) for p in probes)
    assert main(["validate", *map(str, probes)]) == 0


@pytest.mark.slow
def test_pytest_runs_the_recipes_probes_with_its_pytest_ini(pytester: pytest.Pytester) -> None:
    for name in ("pytest.ini", "socket-checks"):
        source = RECIPE / name
        if source.is_dir():
            shutil.copytree(source, pytester.path / name)
        else:
            shutil.copy(source, pytester.path / name)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["unread-data-resets-peer [[]ok[]] close: ok (immediate) · *"])
    assert (pytester.path / "build" / "sockets.json").is_file()
