"""The GitHub workflows, checked offline: the commands they run, pinning, injection.

The workflows themselves only run on GitHub; tox -e workflows validates them
against GitHub's schema and audits them with zizmor. These tests hold the
project's own rules.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.paths import REPO

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


def quickstart_blocks() -> list[list[str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, re.DOTALL)
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


def quickstart() -> list[str]:
    """The two command lines: the probes (and table), then the tests."""
    return quickstart_blocks()[1]


def setup_line() -> str:
    (line,) = quickstart_blocks()[0]
    return line


def run_lines(step: dict[str, Any]) -> list[str]:
    return [line.strip() for line in step["run"].strip().splitlines() if line.strip()]


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} == {"matrix.yml", "probe-matrix.yml"}


def test_each_leg_runs_the_readmes_probe_command() -> None:
    legs = load(REPO / ".github/workflows/probe-matrix.yml")["jobs"]["probes"]
    (step,) = [s for s in legs["steps"] if s.get("name", "").startswith("Run the built-in probes")]
    assert run_lines(step) == [setup_line(), quickstart()[0]]


def test_the_test_job_runs_the_readmes_test_command() -> None:
    tests = load(REPO / ".github/workflows/matrix.yml")["jobs"]["tests"]
    (step,) = [s for s in tests["steps"] if "run" in s]
    assert run_lines(step) == [setup_line(), quickstart()[1]]
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


def test_every_leg_uploads_even_when_its_probes_failed_or_timed_out() -> None:
    legs = load(REPO / ".github/workflows/probe-matrix.yml")["jobs"]["probes"]
    upload = next(s for s in legs["steps"] if "upload-artifact" in s.get("uses", ""))
    # A step that hits its timeout fails the job; only always() still uploads then.
    assert upload["if"] == "${{ always() }}"
    assert legs["strategy"]["fail-fast"] is False
    probe_steps = [s for s in legs["steps"] if "tox -e probes" in s.get("run", "")]
    assert len(probe_steps) == 2
    for step in probe_steps:
        # A step timeout inside the job's leaves the upload time to run.
        assert 0 < step["timeout-minutes"] < legs["timeout-minutes"] - 5, step["name"]
    table = load(REPO / ".github/workflows/probe-matrix.yml")["jobs"]["table"]
    assert table["if"] == "${{ !cancelled() }}"


def test_callers_can_fail_the_run_on_broken_assumptions() -> None:
    workflow = load(REPO / ".github/workflows/probe-matrix.yml")
    option = workflow[True]["workflow_call"]["inputs"]["fail-on-broken-assumptions"]
    assert option["type"] == "boolean" and option["default"] is False
    table = workflow["jobs"]["table"]["steps"]
    step = next(s for s in table if s.get("name") == "Fail on broken assumptions")
    assert step["if"] == "${{ !cancelled() && inputs.fail-on-broken-assumptions }}"
    assert step["run"].strip() == 'sockmatrix check collected/* --summary "$GITHUB_STEP_SUMMARY"'
    assert table[-1] is step, "the merged table is uploaded before the check can fail the job"


# --- publishing, refreshing and the fan-in: each check failed on an earlier workflow ---

MATRIX = REPO / ".github/workflows/matrix.yml"
PROBE_MATRIX = REPO / ".github/workflows/probe-matrix.yml"


def _refresh_script() -> str:
    job = load(MATRIX)["jobs"]["refresh-pull-request"]
    return "\n".join(s.get("run", "") for s in job["steps"])


def test_the_readme_quickstart_joins_no_commands() -> None:
    # Windows PowerShell 5.1 rejects &&; cmd.exe treats ; as an argument; | is a pipe.
    for line in [setup_line(), *quickstart()]:
        assert not re.search(r"&&|\|\||;|\||\\$|`$|\^$", line), line
    assert len(quickstart()) == 2
    assert "tox -e probes" in quickstart()[0] and "tox -e py" in quickstart()[1]


def test_refresh_looks_for_an_open_pull_request_only() -> None:
    script = _refresh_script()
    # gh pr view BRANCH also finds a merged one, after which none is ever opened.
    assert "gh pr view" not in script
    assert re.search(r"gh pr list [^\n]*--head \"\$BRANCH\"", script)
    assert "--state open" in script
    # No open pull request must read as empty, not as the text "null".
    assert "--jq '.[0].number // empty'" in script


def test_a_refused_pull_request_names_the_repository_setting() -> None:
    setting = "Allow GitHub Actions to create and approve pull requests"
    script = _refresh_script()
    create = script.index("gh pr create")
    assert setting in script[create:]
    assert "exit 1" in script[create:]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    fork_steps = readme.split("## Getting the Windows and macOS columns", 1)[1]
    assert setting in " ".join(fork_steps.split("\n## ", 1)[0].split())


def test_an_unchanged_run_neither_force_pushes_nor_opens_a_pull_request() -> None:
    script = _refresh_script()
    first_compare = script.index("python -m matrix.results.changed before results")
    assert first_compare < script.index("git push --force")
    assert first_compare < script.index("gh pr create")
    # The branch of an open pull request is compared too, before pushing over it.
    assert script.index("matrix.results.changed on-branch/results") < script.index("git push")


def test_a_manual_run_on_the_default_branch_publishes() -> None:
    workflow = load(MATRIX)
    assert "workflow_dispatch" in workflow[True]
    for name in ("pages", "refresh-pull-request"):
        condition = workflow["jobs"][name]["if"]
        assert "github.event_name == 'workflow_dispatch'" in condition
        assert "github.ref_name == github.event.repository.default_branch" in condition


def test_publishing_needs_the_test_jobs_to_pass() -> None:
    jobs = load(MATRIX)["jobs"]
    for name in ("pages", "refresh-pull-request"):
        assert "tests" in jobs[name]["needs"] and "probes" in jobs[name]["needs"]
        assert "needs.tests.result == 'success'" in jobs[name]["if"]


def test_only_pull_request_runs_cancel_each_other() -> None:
    concurrency = load(MATRIX)["concurrency"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_the_job_summary_is_a_compact_digest_with_a_link() -> None:
    table = load(PROBE_MATRIX)["jobs"]["table"]
    summary_steps = [
        s for s in table["steps"] if "--summary" in s.get("run", "") and "table" in s["run"]
    ]
    assert len(summary_steps) == 1
    (step,) = summary_steps
    assert "--summary-link" in step["run"]
    assert "steps.upload.outputs.artifact-url" in step["env"]["ARTIFACT_URL"]
    names = [s.get("id") for s in table["steps"]]
    assert names.index("upload") < table["steps"].index(step)


def test_the_fan_in_keeps_one_folder_per_leg_so_collisions_are_seen() -> None:
    table = load(PROBE_MATRIX)["jobs"]["table"]
    download = next(s for s in table["steps"] if "download-artifact" in s.get("uses", ""))
    assert "merge-multiple" not in download["with"]
    assert "collected/*" in next(
        s["run"] for s in table["steps"] if "--output-dir" in s.get("run", "")
    )
    assert "uniq -d" in _refresh_script()  # refresh refuses two files of one key


def test_forks_are_told_schedules_do_not_run() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "scheduled workflows are disabled by default" in " ".join(readme.split())
    assert "scheduled workflows are disabled by default" in MATRIX.read_text(encoding="utf-8")


def _check_inputs_script() -> tuple[str, dict[str, str]]:
    job = load(PROBE_MATRIX)["jobs"]["check-inputs"]
    (step,) = [s for s in job["steps"] if "SOCKMATRIX_REPOSITORY" in s.get("env", {})]
    return step["run"], step["env"]


@pytest.mark.parametrize(
    ("repository", "ref", "ok"),
    [
        ("", "", True),
        ("owner/sockmatrix", "0123456789abcdef0123456789abcdef01234567", True),
        ("owner/sockmatrix", "", False),
        ("", "0123456789abcdef0123456789abcdef01234567", False),
    ],
)
def test_sockmatrix_repository_and_ref_must_come_together(
    repository: str, ref: str, ok: bool
) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("needs bash, as the workflow step does")
    script, env = _check_inputs_script()
    assert set(env) == {"SOCKMATRIX_REPOSITORY", "SOCKMATRIX_REF"}
    done = subprocess.run(
        [bash, "-e", "-c", script],
        env={
            "PATH": os.environ.get("PATH", ""),
            "SOCKMATRIX_REPOSITORY": repository,
            "SOCKMATRIX_REF": ref,
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode == 0) is ok, done.stdout
    if not ok:
        assert "::error::" in done.stdout


def test_every_leg_waits_for_the_input_check() -> None:
    jobs = load(PROBE_MATRIX)["jobs"]
    assert jobs["probes"]["needs"] == "check-inputs"


# --- the extra stacks (BSDs, illumos, WSL1, Alpine) ---------------------------

STACK_JOBS = {
    "freebsd": "freebsd",
    "openbsd": "openbsd",
    "netbsd": "netbsd",
    "illumos": "illumos",
    "wsl1": "wsl1",
    "alpine": "alpine",
}


def _stack_job(name: str) -> dict[str, Any]:
    job = load(PROBE_MATRIX)["jobs"][name]
    assert isinstance(job, dict)
    return job


def test_extra_stacks_are_an_input_that_defaults_to_none() -> None:
    inputs = load(PROBE_MATRIX)[True]["workflow_call"]["inputs"]
    assert inputs["extra-stacks"]["default"] == "[]"
    for stack in STACK_JOBS:
        assert f'"{stack}"' in inputs["extra-stacks"]["description"]


@pytest.mark.parametrize("stack", sorted(STACK_JOBS))
def test_each_stack_leg_is_selected_runs_the_leg_script_and_uploads_like_the_others(
    stack: str,
) -> None:
    job = _stack_job(STACK_JOBS[stack])
    assert job["if"] == f"${{{{ contains(fromJSON(inputs.extra-stacks), '{stack}') }}}}"
    assert job["needs"] == "check-inputs"
    steps = job["steps"]
    runs = [
        s
        for s in steps
        if "sh .ci/stack-leg.sh" in str(s.get("run", "")) + str(s.get("with", {}).get("run", ""))
    ]
    assert len(runs) == 1, stack
    # A step timeout inside the job's: a hung boot fails the step, the upload still runs.
    for step in steps:
        uses = step.get("uses", "")
        if "actions/checkout" in uses or "upload-artifact" in uses:
            continue
        assert 0 < step["timeout-minutes"] <= job["timeout-minutes"] - 10, (stack, step["name"])
    upload = steps[-1]
    assert "upload-artifact" in upload["uses"] and upload["if"] == "${{ always() }}"
    assert upload["with"]["name"].startswith("sockmatrix-results-")
    assert upload["with"]["path"] == "leg-results/*.json"
    assert job["env"]["SOCKMATRIX_RESULTS_DIR"] == "leg-results"


def test_freebsd_runs_two_releases_and_every_vm_installs_python_from_its_packages() -> None:
    assert _stack_job("freebsd")["strategy"]["matrix"]["release"] == ["14", "15"]
    package_managers = {
        "freebsd": "pkg install",
        "openbsd": "pkg_add",
        "netbsd": "pkg_add",
        "illumos": "pkg install",
    }
    for name, manager in package_managers.items():
        vm = next(s for s in _stack_job(name)["steps"] if "vmactions/" in s.get("uses", ""))
        assert manager in vm["with"]["prepare"] and "python" in vm["with"]["prepare"]
        assert "${{" not in vm["with"]["prepare"] + vm["with"]["run"]
        assert vm["with"]["usesh"] is True
    wsl = next(s for s in _stack_job("wsl1")["steps"] if "setup-wsl" in s.get("uses", ""))
    assert wsl["with"]["wsl-version"] == 1
    assert "python3" in wsl["with"]["additional-packages"].split()
    alpine = next(s for s in _stack_job("alpine")["steps"] if "docker run" in s.get("run", ""))
    assert "apk add" in alpine["run"] and "alpine:" in alpine["run"]


def test_the_table_waits_for_every_leg_and_publishes_when_some_failed() -> None:
    table = _stack_job("table")
    assert set(table["needs"]) == {"probes", *STACK_JOBS.values()}
    assert table["if"] == "${{ !cancelled() }}"


def test_the_main_workflow_runs_the_extra_stacks_on_schedule_and_by_hand_only() -> None:
    extra = load(MATRIX)["jobs"]["probes"]["with"]["extra-stacks"]
    assert "github.event_name == 'schedule'" in extra
    assert "github.event_name == 'workflow_dispatch'" in extra
    assert "push" not in extra and "pull_request" not in extra
    assert extra.rstrip().endswith("|| '[]' }}")
    listed = yaml.safe_load(re.search(r"'(\[.*?\])'", extra).group(1))  # type: ignore[union-attr]
    assert sorted(listed) == sorted(STACK_JOBS)


def _extra_stacks_check(value: str) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("needs bash, as the workflow step does")
    (step,) = [s for s in _stack_job("check-inputs")["steps"] if "EXTRA_STACKS" in s.get("env", {})]
    return subprocess.run(
        [bash, "-e", "-c", step["run"]],
        env={"PATH": os.environ.get("PATH", ""), "EXTRA_STACKS": value},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("[]", True),
        ('["freebsd", "wsl1"]', True),
        ('["freebsd", "plan9"]', False),
        ("freebsd", False),
        ('{"freebsd": 1}', False),
    ],
)
def test_extra_stacks_names_are_checked_before_any_leg_starts(value: str, ok: bool) -> None:
    done = _extra_stacks_check(value)
    assert (done.returncode == 0) is ok, done.stdout + done.stderr
    if not ok:
        assert "::error::" in done.stdout + done.stderr


def test_the_leg_script_is_posix_sh() -> None:
    script = REPO / ".ci" / "stack-leg.sh"
    text = script.read_text(encoding="utf-8")
    for bashism in ("[[", "$(<", "function ", "local ", "pipefail", "${PROBE_PATHS[@]}"):
        assert bashism not in text, bashism
    sh = shutil.which("dash") or shutil.which("sh")
    if sh is None:
        pytest.skip("no sh here")
    done = subprocess.run([sh, "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def test_the_readme_lists_every_stack_its_cost_and_how_to_turn_it_on() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### More TCP stacks", 1)[1].split("\n## ", 1)[0]
    for name in ("FreeBSD", "OpenBSD", "NetBSD", "illumos", "WSL1", "Alpine"):
        assert name in section, name
    assert "extra-stacks" in section
    assert "minutes" in section
