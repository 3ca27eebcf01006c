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
MATRIX = REPO / ".github/workflows/matrix.yml"
PROBE_MATRIX = REPO / ".github/workflows/probe-matrix.yml"
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
    assert {p.name for p in WORKFLOWS} == {"matrix.yml", "probe-matrix.yml", "release.yml"}


def test_release_builds_and_tests_with_the_rehearsed_script_and_publishes_on_a_tag_only() -> None:
    release = load(REPO / ".github/workflows/release.yml")
    assert release[True] == {"push": {"tags": ["v*"]}}
    jobs = release["jobs"]
    (check,) = [s for s in jobs["build"]["steps"] if "release-check" in s.get("run", "")]
    # The command tests/end_to_end/test_release_rehearsal.py runs, the same way.
    assert run_lines(check)[-1] == 'sh .ci/release-check.sh dist "$TAG"'
    assert check["env"]["TAG"] == "${{ github.ref_name }}"
    upload = next(s for s in jobs["build"]["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "dist/"
    publish = jobs["publish"]
    assert publish["needs"] == "build"
    assert publish["if"] == "startsWith(github.ref, 'refs/tags/v')"
    # Trusted publishing: an OIDC token, an environment a maintainer approves, no secret.
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert "secrets." not in (REPO / ".github/workflows/release.yml").read_text(encoding="utf-8")
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "permissions" not in jobs["build"], "only publishing may write"


def test_each_leg_runs_the_readmes_probe_command() -> None:
    legs = load(REPO / ".github/workflows/probe-matrix.yml")["jobs"]["probes"]
    (step,) = [
        s
        for s in legs["steps"]
        if s.get("name") == "Run the built-in probes (the README's command)"
    ]
    assert run_lines(step) == [setup_line(), quickstart()[0]]


def test_the_test_jobs_run_the_readmes_test_command_on_all_three_oses() -> None:
    jobs = load(REPO / ".github/workflows/matrix.yml")["jobs"]
    for name in ("tests", "tests-other"):
        (step,) = [s for s in jobs[name]["steps"] if "run" in s]
        assert run_lines(step) == [setup_line(), quickstart()[1]]
    assert jobs["tests"]["runs-on"] == "ubuntu-24.04"
    assert jobs["tests-other"]["strategy"]["matrix"]["runner"] == ["windows-2025", "macos-15"]


def test_every_hosted_runner_family_is_in_the_one_list() -> None:
    inputs = load(REPO / ".github/workflows/probe-matrix.yml")[True]["workflow_call"]["inputs"]
    runners = yaml.safe_load(inputs["runners"]["default"])
    # ubuntu-22.04 is deprecated (retired 2027-04-17, actions/runner-images#14254).
    assert runners == [
        "ubuntu-24.04",
        "ubuntu-24.04-arm",
        "windows-2022",
        "windows-2025",
        "windows-11-arm",
        "macos-15",
        "macos-26",
        "macos-15-intel",
    ]
    # Callers get no extra legs unless they ask (a Linux-only caller never pays for
    # macOS); this repository asks for the oldest and newest Python per OS.
    assert yaml.safe_load(inputs["extra-legs"]["default"]) == []
    extra = yaml.safe_load(load(MATRIX)["jobs"]["probes"]["with"]["extra-legs"])
    per_os = {leg["runner"].split("-")[0] for leg in extra}
    assert per_os == {"ubuntu", "windows", "macos"}
    assert {leg["python"] for leg in extra} == {"3.11", "3.14"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_retired_runner_or_python_is_named(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    # Python 3.10 reached its end of life in October 2026 (PEP 619).
    assert "ubuntu-22.04" not in text
    assert not re.search(r"""["']3\.10["']""", text)


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
    assert len(probe_steps) == 3
    for step in probe_steps:
        # A step timeout inside the job's leaves the upload time to run.
        assert 0 < step["timeout-minutes"] < legs["timeout-minutes"] - 5, step["name"]


def test_every_artifact_upload_overwrites_one_of_its_name() -> None:
    # upload-artifact v4+ refuses a second artifact of one name in a run: a
    # "Re-run failed jobs" would fail at upload and merge the first attempt's file.
    # (matrix.yml uploads only the page, one name per attempt: see below.)
    uploads = [
        s for s in steps(load(PROBE_MATRIX)) if "actions/upload-artifact@" in s.get("uses", "")
    ]
    assert len(uploads) == 9  # 7 stack jobs, the hosted legs, the merged table
    assert not [s for s in steps(load(MATRIX)) if "actions/upload-artifact@" in s.get("uses", "")]
    for upload in uploads:
        assert upload["with"]["overwrite"] is True, upload.get("name")


def test_callers_can_fail_the_run_on_broken_assumptions() -> None:
    workflow = load(REPO / ".github/workflows/probe-matrix.yml")
    option = workflow[True]["workflow_call"]["inputs"]["fail-on-broken-assumptions"]
    assert option["type"] == "boolean" and option["default"] is False
    table = workflow["jobs"]["table"]["steps"]
    step = next(s for s in table if s.get("name") == "Fail on broken assumptions")
    assert step["if"] == "${{ !cancelled() && inputs.fail-on-broken-assumptions }}"
    assert step["run"].strip() == (
        'python -m matrix.tools.ci_fan_in check collected --summary "$GITHUB_STEP_SUMMARY"'
    )
    assert table[-1] is step, "the merged table is uploaded before the check can fail the job"


# --- publishing, refreshing and the fan-in: each check failed on an earlier workflow ---


def test_the_readme_quickstart_joins_no_commands() -> None:
    # Windows PowerShell 5.1 rejects &&; cmd.exe treats ; as an argument; | is a pipe.
    for line in [setup_line(), *quickstart()]:
        assert not re.search(r"&&|\|\||;|\||\\$|`$|\^$", line), line
    assert len(quickstart()) == 2
    assert "tox -e probes" in quickstart()[0] and "tox -e py" in quickstart()[1]


def test_a_refused_pull_request_names_the_repository_setting() -> None:
    # The refresh itself is rehearsed in tests/end_to_end/test_refresh_rehearsal.py.
    from matrix.tools.ci_refresh import SETTING

    assert SETTING == "Allow GitHub Actions to create and approve pull requests"
    ci_page = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    fork_steps = ci_page.split("# Getting the Windows and macOS columns", 1)[1]
    assert SETTING in " ".join(fork_steps.split("\n## ", 1)[0].split())


def test_the_publishing_steps_are_the_tools_the_tests_rehearse() -> None:
    jobs = load(MATRIX)["jobs"]
    refresh = next(
        s for s in jobs["refresh-pull-request"]["steps"] if "ci_refresh" in s.get("run", "")
    )
    assert refresh["run"].startswith(
        "python -m matrix.tools.ci_refresh --collected merged/collected"
    )
    (pages,) = [s for s in jobs["pages"]["steps"] if "ci_pages" in s.get("run", "")]
    # Pages: the committed results/ with this run's legs laid over them.
    assert pages["run"].strip() == "python -m matrix.tools.ci_pages results merged/collected site"
    upload = next(s for s in jobs["pages"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    deploy = next(s for s in jobs["pages"]["steps"] if "deploy-pages" in s.get("uses", ""))
    # upload-pages-artifact has no overwrite: one artifact name per attempt.
    assert upload["with"]["name"] == "github-pages-${{ github.run_attempt }}"
    assert deploy["with"]["artifact_name"] == upload["with"]["name"]
    assert upload["with"]["path"] == "site"
    for name in ("pages", "refresh-pull-request"):
        checkout = jobs[name]["steps"][0]
        assert "actions/checkout" in checkout["uses"], "results/ comes from the checkout"


def test_a_manual_run_on_the_default_branch_publishes() -> None:
    workflow = load(MATRIX)
    assert "workflow_dispatch" in workflow[True]
    for name in ("pages", "refresh-pull-request"):
        condition = workflow["jobs"][name]["if"]
        assert "github.event_name == 'workflow_dispatch'" in condition
        assert "github.ref_name == github.event.repository.default_branch" in condition


def test_publishing_waits_for_the_probe_legs_and_the_linux_tests_only() -> None:
    jobs = load(MATRIX)["jobs"]
    for name in ("pages", "refresh-pull-request"):
        assert jobs[name]["needs"] == ["probes", "tests"]
        condition = jobs[name]["if"]
        assert "needs.tests.result == 'success'" in condition
        # A leg that failed still publishes (its column is marked), a skipped or
        # cancelled probe run does not.
        assert "(needs.probes.result == 'success' || needs.probes.result == 'failure')" in (
            condition
        )
        assert "tests-other" not in str(jobs[name])


def test_each_event_has_its_own_concurrency_group_and_publishing_queues() -> None:
    workflow = load(MATRIX)
    concurrency = workflow["concurrency"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    # A push must not replace a pending scheduled or manual run.
    assert "github.event_name" in concurrency["group"]
    for name in ("pages", "refresh-pull-request"):
        job = workflow["jobs"][name]["concurrency"]
        # queue: max is refused together with cancel-in-progress: true.
        assert job["queue"] == "max" and "cancel-in-progress" not in job


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


def test_the_fan_in_walks_the_download_folder() -> None:
    table = load(PROBE_MATRIX)["jobs"]["table"]
    download = next(s for s in table["steps"] if "download-artifact" in s.get("uses", ""))
    # No merge-multiple: two legs with one key keep both files, and the merge names both.
    assert "merge-multiple" not in download["with"] and download["with"]["path"] == "collected"
    for step in table["steps"]:
        assert "collected/*" not in step.get("run", ""), "a glob misses a lone artifact"
    merge = next(s for s in table["steps"] if "--output-dir" in s.get("run", ""))
    assert merge["run"].strip() == (
        "python -m matrix.tools.ci_fan_in table collected --output-dir matrix-out"
    )


def test_forks_are_told_schedules_do_not_run() -> None:
    ci_page = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "scheduled workflows are disabled by default" in " ".join(ci_page.split())
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


def _is_sockmatrix_check(folder: Path) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("needs bash, as the workflow step does")
    job = load(PROBE_MATRIX)["jobs"]["check-inputs"]
    (step,) = [s for s in job["steps"] if s.get("name") == "The checkout is sockmatrix"]
    return subprocess.run(
        [bash, "-e", "-c", step["run"]],
        cwd=folder,
        env={"PATH": os.environ.get("PATH", ""), "CHECKED_OUT": "example/caller"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_a_caller_that_names_no_sockmatrix_fails_at_once_naming_both_inputs(
    tmp_path: Path,
) -> None:
    assert _is_sockmatrix_check(REPO).returncode == 0
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "my-library"\n')
    failed = _is_sockmatrix_check(tmp_path)
    assert failed.returncode == 1
    assert failed.stdout.startswith(
        "::error title=Not sockmatrix::example/caller is not sockmatrix"
    )
    assert "sockmatrix-repository" in failed.stdout and "sockmatrix-ref" in failed.stdout


def test_every_leg_and_the_table_wait_for_the_input_check() -> None:
    jobs = load(PROBE_MATRIX)["jobs"]
    for name in ["probes", *STACK_JOBS]:
        assert jobs[name]["needs"] == "check-inputs", name
    assert "check-inputs" in jobs["table"]["needs"]
    assert "needs.check-inputs.result == 'success'" in jobs["table"]["if"]


def test_probe_paths_are_taken_literally(tmp_path: Path) -> None:
    """A caller's "probes/*" stays one path: no glob expands it (bash and sh steps)."""
    job = load(PROBE_MATRIX)["jobs"]["probes"]
    step = next(s for s in job["steps"] if s.get("name") == "Run the calling repository's probes")
    (tmp_path / "caller" / "probes").mkdir(parents=True)
    (tmp_path / "caller" / "probes" / "a.yaml").write_text("x")
    (tmp_path / "probes").mkdir()
    (tmp_path / "probes" / "a.yaml").write_text("x")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "python").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (stubs / "python").chmod(0o755)
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env={
            "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', '')}",
            "PROBE_PATHS": "probes/* other.yaml",
            "WITH_BUILTIN": "false",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["caller/probes/*", "caller/other.yaml"]
    leg = (REPO / ".ci" / "stack-leg.sh").read_text(encoding="utf-8")
    loop = leg.index("for path in ${PROBE_PATHS:-}")
    assert leg.rindex("set -f", 0, loop) > leg.rindex("\n\n", 0, loop)


# --- the extra stacks (BSDs, illumos, WSL1, Alpine) ---------------------------

STACK_JOBS = {
    "freebsd": "freebsd",
    "openbsd": "openbsd",
    "netbsd": "netbsd",
    "illumos": "illumos",
    "wsl1": "wsl1",
    "alpine": "alpine",
    "gvisor": "gvisor",
}
# The legs that run .ci/stack-leg.sh (gVisor runs tox -e gvisor on the runner).
LEG_SCRIPT_JOBS = ["freebsd", "openbsd", "netbsd", "illumos", "wsl1", "alpine"]
VM_JOBS = ["freebsd", "openbsd", "netbsd", "illumos"]


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
def test_each_stack_leg_is_selected_and_uploads_like_the_others(stack: str) -> None:
    job = _stack_job(STACK_JOBS[stack])
    assert job["if"] == f"${{{{ contains(fromJSON(inputs.extra-stacks), '{stack}') }}}}"
    assert job["needs"] == "check-inputs"
    steps = job["steps"]
    # A step timeout inside the job's: a hung boot fails the step, the upload still runs.
    for step in steps:
        uses = step.get("uses", "")
        if any(a in uses for a in ("actions/checkout", "upload-artifact", "setup-python")):
            continue
        if "leg-outcome" in step.get("run", ""):
            continue
        assert 0 < step["timeout-minutes"] <= job["timeout-minutes"] - 10, (stack, step["name"])
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["if"] == "${{ always() }}"
    assert upload["with"]["name"].startswith("sockmatrix-results-")
    assert upload["with"]["path"].split() == ["leg-results/*.json", "leg-results/*.json.journal"]
    assert job["env"]["SOCKMATRIX_RESULTS_DIR"] == "leg-results"


@pytest.mark.parametrize("stack", LEG_SCRIPT_JOBS)
def test_a_stack_leg_fails_only_after_its_upload_and_stops_before_its_time_limit(
    stack: str,
) -> None:
    job = _stack_job(stack)
    steps = job["steps"]
    (leg,) = [
        s
        for s in steps
        if "sh .ci/stack-leg.sh" in str(s.get("run", "")) + str(s.get("with", {}).get("run", ""))
    ]
    # The probe run ends itself well before the step's limit (a step that times
    # out copies nothing back), leaving minutes for the copy-back.
    assert int(job["env"]["SOCKMATRIX_LEG_SECONDS"]) <= (leg["timeout-minutes"] - 5) * 60
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    outcome = steps[-1]
    assert steps.index(upload) == len(steps) - 2
    assert outcome["if"] == "${{ always() }}"
    assert outcome["run"].strip() == "sh .ci/leg-outcome.sh leg-status"


@pytest.mark.parametrize("stack", VM_JOBS)
def test_each_vm_leg_takes_python_and_its_dependencies_from_the_os(stack: str) -> None:
    vm = next(s for s in _stack_job(stack)["steps"] if "vmactions/" in s.get("uses", ""))
    prepare = vm["with"]["prepare"]
    # usesh is ignored by every vmactions action (freebsd-vm action.yml: "Deprecated and ignored").
    assert "usesh" not in vm["with"]
    assert "${{" not in prepare + vm["with"]["run"]
    assert vm["with"]["run"].strip() == "sh .ci/stack-leg.sh"
    assert "SOCKMATRIX_LEG_SECONDS" in vm["with"]["envs"].split()
    packages = {
        "freebsd": ['"py$v-pyyaml"', '"py$v-jsonschema"', '"py$v-psutil"', '"py$v-tabulate"'],
        "openbsd": ["py3-yaml", "py3-jsonschema", "py3-psutil", "py3-fastjsonschema"],
        "netbsd": ["py312-yaml", "py312-jsonschema", "py312-psutil", "py312-fastjsonschema"],
        # OmniOS packages no psutil, tabulate or fastjsonschema: pip adds them, and the
        # "-build" image has the compiler psutil needs.
        "illumos": [
            "runtime/python-313",
            "library/python-3/pyyaml-313",
            "library/python-3/jsonschema-313",
            "library/python-3/pip-313",
        ],
    }[stack]
    for package in packages:
        assert package in prepare.split(), (stack, package)
    if stack == "illumos":
        assert vm["with"]["release"] == "r151054-build"


def test_the_other_stacks_take_their_dependencies_from_their_packages_too() -> None:
    wsl = next(s for s in _stack_job("wsl1")["steps"] if "setup-wsl" in s.get("uses", ""))
    assert wsl["with"]["wsl-version"] == 1
    for package in (
        "python3",
        "python3-venv",
        "python3-yaml",
        "python3-jsonschema",
        "python3-psutil",
    ):
        assert package in wsl["with"]["additional-packages"].split()
    alpine = next(s for s in _stack_job("alpine")["steps"] if "docker run" in s.get("run", ""))
    assert "alpine:" in alpine["run"]
    for package in ("py3-yaml", "py3-jsonschema", "py3-psutil", "py3-tabulate"):
        assert package in alpine["run"].split()
    assert "-e SOCKMATRIX_LEG_SECONDS" in alpine["run"]


def test_freebsd_runs_two_releases() -> None:
    assert _stack_job("freebsd")["strategy"]["matrix"]["release"] == ["14", "15"]


def test_the_gvisor_leg_installs_a_pinned_runsc_and_runs_tox_as_root() -> None:
    job = _stack_job("gvisor")
    assert job["runs-on"].startswith("ubuntu-")
    runs = [s.get("run", "") for s in job["steps"]]
    assert "sudo sh .ci/install-runsc.sh" in runs
    (run,) = [r for r in runs if "tox -e gvisor" in r]
    # As root (runsc needs it), with setup-python's python and runsc on PATH; the
    # launcher asks runsc for its release (matrix/runner/under_gvisor.py).
    assert "sudo --preserve-env=SOCKMATRIX_RESULTS_DIR,SOCKMATRIX_JOB_LABEL," in run
    assert 'env "PATH=$PATH" python -m tox -e gvisor -- "${args[@]}"' in run
    script = (REPO / ".ci" / "install-runsc.sh").read_text(encoding="utf-8")
    assert re.search(r"GVISOR_RELEASE:-\d{8}\.\d}", script)
    assert re.search(r"GVISOR_SHA512:-[0-9a-f]{128}}", script)


def test_the_table_waits_for_every_leg_and_publishes_when_some_failed() -> None:
    table = _stack_job("table")
    assert set(table["needs"]) == {"check-inputs", "probes", *STACK_JOBS.values()}
    assert table["if"] == "${{ !cancelled() && needs.check-inputs.result == 'success' }}"


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


@pytest.mark.parametrize("name", ["stack-leg.sh", "leg-outcome.sh", "install-runsc.sh"])
def test_the_leg_scripts_are_posix_sh(name: str) -> None:
    script = REPO / ".ci" / name
    text = script.read_text(encoding="utf-8")
    for bashism in ("[[", "$(<", "function ", "local ", "pipefail", "${PROBE_PATHS[@]}"):
        assert bashism not in text, bashism
    sh = shutil.which("dash") or shutil.which("sh")
    if sh is None:
        pytest.skip("no sh here")
    done = subprocess.run([sh, "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def test_the_ci_page_lists_every_stack_its_cost_and_how_to_turn_it_on() -> None:
    ci_page = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    section = ci_page.split("## More TCP stacks", 1)[1].split("\n## ", 1)[0]
    for name in ("FreeBSD", "OpenBSD", "NetBSD", "illumos", "WSL1", "Alpine", "gVisor"):
        assert name in section, name
    assert "extra-stacks" in section
    assert "minutes" in section


def test_generated_results_are_folded_in_pull_request_diffs() -> None:
    lines = (REPO / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "results/** linguist-generated" in lines
    done = subprocess.run(
        ["git", "check-attr", "linguist-generated", "--", "results/x.json", "README.md",
         "results/history/x@1.json"],
        cwd=REPO, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    assert done.stdout.splitlines() == [
        "results/x.json: linguist-generated: set",
        "README.md: linguist-generated: unspecified",
        "results/history/x@1.json: linguist-generated: set",
    ]


def test_the_oldest_env_pins_exactly_the_lower_bounds_pyproject_states() -> None:
    import configparser
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    floors = {}
    for requirement in project["dependencies"]:
        name, version = requirement.split(">=")
        floors[name.strip().lower()] = version.strip()
    tox = configparser.ConfigParser()
    tox.read(REPO / "tox.ini", encoding="utf-8")
    pins = {}
    for line in tox["testenv:oldest"]["deps"].split():
        name, version = line.split("==")
        pins[name.lower()] = version
    assert pins == floors
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert '"$PYTHON" -m tox -e oldest' in ci


def test_a_pull_request_that_only_changes_probes_runs_just_those_on_every_leg(
    tmp_path: Path,
) -> None:
    jobs = load(MATRIX)["jobs"]
    scope = jobs["scope"]
    assert scope["if"] == "${{ github.event_name == 'pull_request' }}"
    assert "python3 -m matrix.tools.ci_scope" in scope["steps"][-1]["run"]
    assert jobs["probes"]["with"]["builtin-probes"] == "${{ needs.scope.outputs.probes }}"
    legs = load(PROBE_MATRIX)["jobs"]["probes"]
    step = next(
        s for s in legs["steps"] if s.get("name") == "Run the built-in probes this change touches"
    )
    assert step["if"] == "${{ inputs.probe-paths == '' && inputs.builtin-probes != '' }}"
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "python").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (stubs / "python").chmod(0o755)
    (tmp_path / "probes").mkdir()
    (tmp_path / "probes" / "a.yaml").write_text("x")
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=tmp_path,
        env={
            "PATH": f"{stubs}{os.pathsep}{os.environ.get('PATH', '')}",
            "BUILTIN_PROBES": "probes/a.yaml probes/*.yaml",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    # The stub prints each argument of `python -m tox -e probes -- …`: literal paths.
    assert done.stdout.splitlines()[-7:] == [
        "-m", "tox", "-e", "probes", "--", "probes/a.yaml", "probes/*.yaml"
    ]  # fmt: skip


def test_hosted_legs_and_test_jobs_cache_pips_downloads() -> None:
    for path, job in ((PROBE_MATRIX, "probes"), (MATRIX, "tests"), (MATRIX, "tests-other")):
        setup = next(
            s for s in load(path)["jobs"][job]["steps"] if "setup-python" in s.get("uses", "")
        )
        assert setup["with"]["cache"] == "pip"
        assert setup["with"]["cache-dependency-path"] == "pyproject.toml"
