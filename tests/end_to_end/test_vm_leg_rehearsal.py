"""An extra-stack (VM) leg, rehearsed here the way vmactions runs it.

The BSD and illumos legs run only on GitHub, so this runs the same files the
same way on Debian: the leg's `run:` block from the workflow, prefixed with
`set -eu` and piped to `sh` (vmactions' index.js: `const fullCmd = "set -eu\\n"
+ envExports + cmd`, then `ssh <vm> sh`), with Debian's own Python and Debian's
`python3-*` packages for every dependency (as the BSDs' `prepare` lines install
theirs), no platform wheels (PIP_NO_BINARY names the compiled packages: PyPI
has none for the BSDs) and no Rust toolchain on PATH. Then the host steps run
as the job does: the upload's file pattern, and `.ci/leg-outcome.sh`.

CI (`.ci/run`) installs the Debian packages and sets SOCKMATRIX_REQUIRE_REHEARSAL=1,
so there these tests cannot skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.paths import REPO
from helpers.probes import slow_probe

WORKFLOW = REPO / ".github" / "workflows" / "probe-matrix.yml"
SYSTEM_PYTHON = Path("/usr/bin/python3")
DEPENDENCIES = ("yaml", "tabulate", "jsonschema", "fastjsonschema", "psutil")
# Only the system's directories: no pyenv, no ~/.cargo/bin (Rust), no /usr/local.
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def _system_python_problem() -> str | None:
    if not SYSTEM_PYTHON.exists():
        return "no Debian system Python at /usr/bin/python3"
    imports = "; ".join(f"import {name}" for name in DEPENDENCIES) + "; import venv, ensurepip"
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", imports], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        return (
            "Debian's python3-venv and python3-{yaml,tabulate,jsonschema,fastjsonschema,"
            "psutil} are not installed (.ci/run installs them): " + done.stderr.strip()[-200:]
        )
    return None


@pytest.fixture(scope="module")
def debian() -> None:
    problem = _system_python_problem()
    if problem is None:
        return
    if os.environ.get("SOCKMATRIX_REQUIRE_REHEARSAL") == "1":
        pytest.fail(problem)
    pytest.skip(problem)


def vm_step(job: str) -> dict[str, Any]:
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    step = next(s for s in jobs[job]["steps"] if "vmactions/" in s.get("uses", ""))
    assert isinstance(step, dict)
    return step


def host_step(job: str, name_start: str) -> dict[str, Any]:
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    step = next(s for s in jobs[job]["steps"] if s.get("name", "").startswith(name_start))
    assert isinstance(step, dict)
    return step


def checkout(tmp_path: Path) -> Path:
    """The files a fresh checkout has (git ls-files), like actions/checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    work = tmp_path / "workspace"
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return work


def run_vm_command(
    workspace: Path, env: dict[str, str], job: str = "freebsd", timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    step = vm_step(job)
    # vmactions exports the variables its `envs` input names, nothing else.
    named = step["with"]["envs"].split()
    exports = "".join(f"export {name}='{env[name]}'\n" for name in named if name in env)
    script = "set -eu\n" + exports + f'cd "{workspace}"\n' + step["with"]["run"]
    home = workspace.parent / "home"
    home.mkdir(exist_ok=True)
    return subprocess.run(
        ["sh"],
        input=script,
        cwd=workspace,
        env={
            "PATH": SYSTEM_PATH,
            "HOME": str(home),
            "LANG": "C.UTF-8",
            # No platform wheels, as on the BSDs; pure-Python wheels still install.
            "PIP_NO_BINARY": "rpds-py,psutil,pyyaml",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def leg_env(**extra: str) -> dict[str, str]:
    return {
        "SOCKMATRIX_RESULTS_DIR": "leg-results",
        "SOCKMATRIX_JOB_LABEL": "rehearsal",
        "PROBE_PATHS": "",
        "WITH_BUILTIN": "false",
        **extra,
    }


def uploaded(workspace: Path, job: str = "freebsd") -> list[Path]:
    """What the upload step's `path:` patterns pick up after the copy-back."""
    upload = next(
        s
        for s in yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"][job]["steps"]
        if "upload-artifact" in s.get("uses", "")
    )
    return sorted(p for pattern in upload["with"]["path"].split() for p in workspace.glob(pattern))


def outcome(workspace: Path, job: str = "freebsd") -> subprocess.CompletedProcess[str]:
    step = host_step(job, "Fail the leg")
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=workspace,
        env={"PATH": SYSTEM_PATH},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_vm_leg_installs_from_the_systems_packages_and_returns_a_complete_results_file(
    debian: None, tmp_path: Path
) -> None:
    assert shutil.which("cargo", path=SYSTEM_PATH) is None, "Rust must be off PATH"
    workspace = checkout(tmp_path)
    done = run_vm_command(workspace, leg_env())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (results,) = uploaded(workspace)
    document = json.loads(results.read_text(encoding="utf-8"))
    assert document["complete"] is True
    library = sorted(p.stem for p in (REPO / "probes").rglob("*.yaml"))
    assert sorted(r["id"] for r in document["probes"]) == library
    assert (workspace / "leg-status").read_text(encoding="utf-8").strip() == "0"
    assert outcome(workspace).returncode == 0
    # Every dependency came from Debian's packages, none from PyPI into the venv.
    venv_python = tmp_path / "home" / ".sockmatrix-venv" / "bin" / "python"
    where = subprocess.run(
        [
            str(venv_python),
            "-c",
            f"import {', '.join(DEPENDENCIES)}; "
            f"print('\\n'.join(m.__file__ for m in ({', '.join(DEPENDENCIES)})))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert all(path.startswith("/usr/lib/python3/dist-packages/") for path in where), where


def test_a_leg_whose_probe_cannot_run_still_returns_its_results_and_fails_afterwards(
    debian: None, tmp_path: Path
) -> None:
    workspace = checkout(tmp_path)
    caller = workspace / "caller" / "my-probes"
    caller.mkdir(parents=True)
    (caller / "overruns.yaml").write_text(
        slow_probe("overruns", seconds=30, time_limit=1), encoding="utf-8"
    )
    done = run_vm_command(workspace, leg_env(PROBE_PATHS="my-probes", WITH_BUILTIN="true"))
    # The VM command succeeds, so vmactions copies the results back.
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (results,) = uploaded(workspace)
    document = json.loads(results.read_text(encoding="utf-8"))
    statuses = {r["id"]: r["status"] for r in document["probes"]}
    assert statuses.pop("overruns") == "timed-out"
    assert len(statuses) == len(list((REPO / "probes").rglob("*.yaml")))
    assert (workspace / "leg-status").read_text(encoding="utf-8").strip() == "1"
    failed = outcome(workspace)
    assert failed.returncode == 1
    assert "::error::sockmatrix run exited 1" in failed.stdout


def test_a_leg_that_reaches_its_deadline_keeps_its_finished_probes_and_fails_afterwards(
    debian: None, tmp_path: Path
) -> None:
    workspace = checkout(tmp_path)
    caller = workspace / "caller" / "my-probes"
    caller.mkdir(parents=True)
    (caller / "hangs.yaml").write_text(
        slow_probe("hangs", seconds=25, time_limit=60), encoding="utf-8"
    )
    quick = sorted((REPO / "probes").rglob("*.yaml"))[0]
    (caller / quick.name).write_text(quick.read_text(encoding="utf-8"), encoding="utf-8")
    done = run_vm_command(
        workspace, leg_env(PROBE_PATHS="my-probes", SOCKMATRIX_LEG_SECONDS="8"), timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (results,) = uploaded(workspace)
    document = json.loads(results.read_text(encoding="utf-8"))
    assert document["complete"] is False
    assert [r["id"] for r in document["probes"] if r["status"] == "ok"] == [quick.stem]
    assert (workspace / "leg-status").read_text(encoding="utf-8").strip() == "143"
    failed = outcome(workspace)
    assert failed.returncode == 1 and "deadline" in failed.stdout


def test_a_leg_that_never_ran_fails_in_the_host_step(tmp_path: Path) -> None:
    # The VM did not boot: the workspace has the checkout and no leg-status.
    (tmp_path / ".ci").mkdir()
    shutil.copy2(REPO / ".ci" / "leg-outcome.sh", tmp_path / ".ci")
    failed = outcome(tmp_path)
    assert failed.returncode == 1
    assert "::error::no leg-status" in failed.stdout
