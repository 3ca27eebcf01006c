"""Single probes of the library, run for real on this machine in a child process."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import PROBE_LIBRARY as PROBES

import matrix
from matrix.probe.validate import validate_file
from matrix.runner.runner import Runner

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE here")
def test_the_sigpipe_probe_records_the_death_as_an_observation() -> None:
    probe, problems = validate_file(PROBES / "reset" / "sigpipe-default-kills-writer.yaml")
    assert probe is not None, problems
    record = Runner().run_one(probe)
    assert record["status"] == "ok", record
    assert "killed by SIGPIPE" in record["verdict"]
    assert record["verdict"].endswith("recv-after: not reached")
    assert record["api"] == "native"


@pytest.mark.slow
@linux_only
def test_the_library_reads_linux_s_own_table_in_the_child() -> None:
    probe, problems = validate_file(PROBES / "states" / "active-closer-time-wait.yaml")
    assert probe is not None, problems
    record = Runner().run_one(probe)
    assert record["status"] == "ok", record
    states = {o["name"]: o for o in record["observations"] if o["op"] == "connection_state"}
    assert states["active-closer-state"]["summary"] == "TIME_WAIT"
    assert states["active-closer-state"]["value"]["mechanism"] == "/proc/net/tcp"
    assert states["passive-closer-state"]["summary"] == "CLOSED"


@pytest.mark.slow
def test_the_child_process_finds_psutil_although_it_starts_without_site() -> None:
    # Windows' connection table is read through psutil, in a child started with -S.
    pytest.importorskip("psutil")
    code = "from matrix.engine.tcpstate.conn_table import _import_psutil as i; print(i().__name__)"
    found = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(matrix.__file__).parent.parent,
    )
    assert found.stdout.strip() == "psutil"
