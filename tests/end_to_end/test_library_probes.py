"""Single probes of the library, run for real on this machine in a child process."""

from __future__ import annotations

import signal
import sys

import pytest
from helpers.paths import PROBE_LIBRARY as PROBES

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
def test_the_child_process_finds_psutil_although_it_starts_without_site() -> None:
    pytest.importorskip("psutil")
    probe, problems = validate_file(PROBES / "states" / "active-closer-time-wait.yaml")
    assert probe is not None, problems
    record = Runner().run_one(probe)
    assert record["status"] == "ok", record
    states = {o["name"]: o for o in record["observations"] if o["op"] == "connection_state"}
    assert states["active-closer-state"]["summary"] == "TIME_WAIT"
    assert states["active-closer-state"]["value"]["mechanism"] == "psutil.net_connections"
    assert states["passive-closer-state"]["summary"] == "CLOSED"
