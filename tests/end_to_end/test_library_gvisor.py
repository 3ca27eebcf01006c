"""End to end: the whole probe library under gVisor, as `sockmatrix run --under gvisor` runs it.

gVisor's verdicts are not compared with Linux's (they are observations, and
differ). Asserted: every probe runs, the column is gVisor's (family, key, stack,
the runsc version its launcher passed in), no state is read from absence in
gVisor's connection table (which cannot list a closed socket's connection), and
no run leaves runsc behind.
Needs runsc and root: where either is missing, or runsc may not start a sandbox
here, the tests skip and say why; with SOCKMATRIX_REQUIRE_GVISOR set (as .ci/run
does) that is a broken setup and fails instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest
from helpers.processes import sockmatrix
from helpers.waiting import wait_for

from matrix.probe.selection import builtin_probe_dir
from matrix.probe.validate import validate_paths
from matrix.results.platform import arch
from matrix.runner.runner import PACKAGE_PARENT

REQUIRE_VARIABLE = "SOCKMATRIX_REQUIRE_GVISOR"
RUN_LIMIT = 600  # a hang guard: the library takes about 26 s under gVisor here (-n 2)


def _why_not() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"gVisor runs on Linux only, this is {sys.platform}"
    runsc = os.environ.get("SOCKMATRIX_RUNSC") or shutil.which("runsc")
    if not runsc:
        return "runsc is not installed (apt-get install runsc)"
    if os.geteuid() != 0:
        return "runsc needs root here, and these tests do not run as root"
    tried = subprocess.run(
        [runsc, "--network=none", "do", "-force-overlay=false", "-quiet", "true"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if tried.returncode != 0:
        last = (tried.stderr.strip().splitlines() or ["no message"])[-1]
        return f"runsc cannot start a sandbox here ({tried.returncode}): {last}"
    return None


@pytest.fixture(scope="module")
def runsc() -> str:
    reason = _why_not()
    if reason is not None:
        if os.environ.get(REQUIRE_VARIABLE):
            pytest.fail(f"{REQUIRE_VARIABLE} is set, but {reason}")
        pytest.skip(reason)
    return os.environ.get("SOCKMATRIX_RUNSC") or str(shutil.which("runsc"))


def _niced(argv: list[str]) -> list[str]:
    # gVisor's ptrace platform costs CPU; at low priority it does not slow the
    # timed tests running beside it (its own timings are not asserted here).
    return ["nice", "-n", "15", *argv] if shutil.which("nice") else argv


def _environment(results: Path) -> dict[str, str]:
    # Off GitHub's books: the key then has no runner-image part to predict.
    environ = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    # The package under test, whatever the working directory.
    path = os.pathsep.join(filter(None, [PACKAGE_PARENT, environ.get("PYTHONPATH")]))
    return {**environ, "SOCKMATRIX_RESULTS_DIR": str(results), "PYTHONPATH": path}


@pytest.fixture(scope="module")
def library_run(runsc: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("gvisor")
    results = folder / "results"
    done = subprocess.run(
        _niced(sockmatrix("run", "--under", "gvisor", "--quiet", "-n", "2")),
        cwd=folder,
        env=_environment(results),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT,
        check=False,
    )
    files = sorted(results.glob("*.json"))
    version = subprocess.run(
        [runsc, "--version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    return {"done": done, "files": files, "runsc_version": version}


def _document(library_run: dict[str, Any]) -> dict[str, Any]:
    assert len(library_run["files"]) == 1, library_run["done"].stderr
    data: dict[str, Any] = json.loads(library_run["files"][0].read_text(encoding="utf-8"))
    return data


def test_every_probe_of_the_library_runs_under_gvisor(library_run: dict[str, Any]) -> None:
    done = library_run["done"]
    assert done.returncode == 0, done.stderr
    probes, problems = validate_paths([builtin_probe_dir()])
    assert problems == []
    document = _document(library_run)
    assert document["complete"] is True
    statuses = {r["id"]: r["status"] for r in document["probes"]}
    assert statuses == {p.id: "ok" for p in probes}


def test_the_column_is_gvisors_named_by_the_runsc_that_ran_it(
    library_run: dict[str, Any],
) -> None:
    document = _document(library_run)
    facts = document["platform"]
    version = library_run["runsc_version"]  # e.g. "runsc version 0.0~20221219.0"
    date = re.search(r"20[0-9]{6}", version)
    assert date is not None, version
    python = ".".join(platform.python_version().split(".")[:2])
    key = f"gvisor-{date.group(0)}-{arch(platform.machine())}-py{python}"
    assert facts["key"] == key
    assert library_run["files"][0].name == f"{key}.json"
    assert (facts["os"], facts["stack"], facts["os_api"]) == ("gvisor", "gVisor", "Linux")
    assert facts["os_build"] == "runsc " + version.removeprefix("runsc version ").strip()
    assert facts["runsc_network"] == "none"
    assert "kernel log" in facts["gvisor_markers"] or "marker file" in facts["gvisor_markers"]
    assert document["api"] == "native"


def _start(folder: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _niced(sockmatrix("run", "--under", "gvisor", "--quiet", *args)),
        cwd=folder,
        env=_environment(folder / "results"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _sandbox_started(run: subprocess.Popen[str], results: Path) -> list[psutil.Process]:
    """runsc and what it started, once the first probe's record is written inside."""
    wait_for(lambda: any(results.glob("gvisor-*.json")) or run.poll() is not None, timeout=120)
    assert run.poll() is None, f"the run ended before a probe finished (status {run.returncode})"
    return psutil.Process(run.pid).children(recursive=True)


def _scratch(started: list[psutil.Process]) -> Path:
    """The TMPDIR the launcher gave runsc (where `runsc do` keeps its sandbox's state)."""
    for process in started:
        with contextlib.suppress(psutil.Error):
            if process.name() == "runsc":
                return Path(process.environ()["TMPDIR"])
    pytest.fail(f"no runsc among the launcher's processes: {started}")


def _all_gone(processes: list[psutil.Process]) -> bool:
    return not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in processes)


def _kept(results: Path) -> dict[str, Any]:
    [written] = results.glob("gvisor-*.json")
    data: dict[str, Any] = json.loads(written.read_text(encoding="utf-8"))
    return data


def test_sigterm_ends_the_sandbox_and_keeps_what_finished(runsc: str, tmp_path: Path) -> None:
    run = _start(tmp_path)
    started = _sandbox_started(run, tmp_path / "results")
    scratch = _scratch(started)
    run.send_signal(signal.SIGTERM)
    # A hang guard, not a timing: the sandbox's probes stop and their records are
    # written first; at load 30 (other tests beside it) that once took over 60 s.
    assert run.wait(180) == 143
    wait_for(lambda: _all_gone(started), timeout=30)
    assert not scratch.exists()  # nothing of runsc's is left behind
    document = _kept(tmp_path / "results")
    # Stopped by the signal, not finished: the library has more probes than it kept.
    assert document["complete"] is False and document["probes"]


def test_a_launcher_killed_outright_leaves_no_sandbox(runsc: str, tmp_path: Path) -> None:
    run = _start(tmp_path)
    started = _sandbox_started(run, tmp_path / "results")
    scratch = _scratch(started)
    run.kill()  # SIGKILL: no handler runs; only the closed pipe tells the run inside
    run.wait(10)
    wait_for(lambda: _all_gone(started), timeout=30)
    # runsc ended normally and removed its state; only its empty TMPDIR is left.
    assert list(scratch.iterdir()) == []
    scratch.rmdir()
    # The run inside stopped itself (its file says interrupted), not at its end.
    assert _kept(tmp_path / "results")["complete"] is False


# What the table reader says when it cannot list a connection whose socket was
# closed (matrix/engine/tcpstate/conn_table.py): the step is unsupported.
BLIND_READER = "cannot show that a connection is gone"


def test_no_state_is_read_from_absence_in_gvisors_blind_table(
    library_run: dict[str, Any],
) -> None:
    # gVisor's /proc/net/tcp lists only sockets that still have a descriptor, so a
    # closed socket's connection is missing from it while it lives on (FIN_WAIT,
    # TIME_WAIT): absence there proves nothing. No connection_state step may
    # report a state read from absence, and those that cannot see say so.
    readings = [
        (record["id"], o)
        for record in _document(library_run)["probes"]
        for o in record.get("observations", [])
        if o["op"] == "connection_state"
    ]
    assert readings
    from_absence = [
        (pid, o["name"], o["summary"])
        for pid, o in readings
        if o["outcome"] == "returned" and o.get("value", {}).get("source") != "entry"
    ]
    assert from_absence == []
    cannot_see = [o for _pid, o in readings if o["outcome"] == "unsupported"]
    assert cannot_see, "no connection_state step found gVisor's table blind to closed sockets"
    assert all(BLIND_READER in o["summary"] for o in cannot_see)
