"""A probe's child never outlives its run: its own time limit, and its stdin's end.

The child (matrix.engine.child) exits when its parent goes away, even when the
parent is killed with SIGKILL and can stop nothing itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from helpers.probes import WriteProbe, slow_probe
from helpers.processes import children_of, modules_loaded_by, sockmatrix
from helpers.waiting import read_line, wait_for

from matrix.engine.child import EXIT_ORPHANED, EXIT_OVERRAN

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and files")


def listening(process: psutil.Process) -> bool:
    """The process holds a listening TCP socket."""
    # psutil 6 renamed Process.connections to net_connections; the package allows 5.9.
    listed = getattr(process, "net_connections", None) or process.connections
    try:
        connections = listed(kind="tcp")
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return False
    return any(c.status == psutil.CONN_LISTEN for c in connections)


@POSIX_ONLY
def test_children_die_with_a_parent_killed_by_sigkill(
    write_probe: WriteProbe, tmp_path: Path
) -> None:
    write_probe(slow_probe("slow"), id="slow")
    process = subprocess.Popen(
        sockmatrix("run", str(tmp_path / "probes"), "--output", str(tmp_path / "r.json")),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The slow probe's listener: its child has read its request and is inside the probe.
    wait_for(lambda: any(listening(child) for child in children_of(process.pid)))
    children = children_of(process.pid)
    process.kill()
    process.wait()
    started = time.monotonic()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], "a child outlived its parent"
    assert time.monotonic() - started < 5, "it exits on stdin EOF, not at its time limit (60 s)"


def child_request(seconds: float, limit: float) -> bytes:
    probe = {
        "id": "sleeper",
        "sockets": [{"tcp": "s"}],
        # The first step's observation, on stdout, shows the child is inside the probe.
        "steps": [
            {"op": "sleep", "seconds": 0, "name": "inside"},
            {"op": "sleep", "seconds": seconds},
        ],
        "verdict": [],
    }
    return (json.dumps({"probe": probe, "time_limit": limit}) + "\n").encode()


def stop(child: subprocess.Popen[bytes]) -> None:
    child.kill()
    child.wait()
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            stream.close()


def test_a_child_enforces_its_own_time_limit_with_its_parent_alive() -> None:
    from matrix.runner.runner import _child_env, child_command

    child = subprocess.Popen(
        child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_child_env()
    )
    assert child.stdin is not None
    child.stdin.write(child_request(seconds=30, limit=0.5))
    child.stdin.flush()  # and keep stdin open: only the child's own timer can end it
    started = time.monotonic()
    try:
        assert child.wait(timeout=20) == EXIT_OVERRAN
    finally:
        stop(child)
    assert time.monotonic() - started < 15


def test_a_child_exits_when_its_stdin_closes() -> None:
    from matrix.runner.runner import _child_env, child_command

    child = subprocess.Popen(
        child_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_child_env()
    )
    assert child.stdin is not None
    child.stdin.write(child_request(seconds=30, limit=60))
    child.stdin.flush()
    assert child.stdout is not None
    assert b'"name": "inside"' in read_line(child.stdout)
    child.stdin.close()
    try:
        assert child.wait(timeout=10) == EXIT_ORPHANED
    finally:
        stop(child)


def test_a_childs_start_and_preload_import_no_dataclasses_jsonschema_or_yaml() -> None:
    """Every probe pays its child's imports in CPU: a library of 1,000 tiny probes
    pays them 1,000 times. dataclasses (with inspect) was 9 ms of each."""
    loaded = modules_loaded_by("import matrix.engine.child as child; child._preload()")
    assert "matrix.engine.scenario" in loaded  # the script did load the engine
    assert not {"dataclasses", "inspect", "jsonschema", "yaml", "fastjsonschema"} & loaded
