"""Ctrl-C and SIGTERM in the middle of a run: children stopped, finished probes kept.

Each ends with a clear message, a valid results file holding every probe that
finished, and the exit status of the signal.
"""

from __future__ import annotations

import _thread
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from helpers.probes import WriteProbe, slow_probe
from helpers.processes import children_of, sockmatrix
from helpers.synthetic import ids_in
from helpers.waiting import wait_for

from matrix.runner.runner import Runner, wait_in_slices

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="sends POSIX signals")


@POSIX_ONLY
def test_ctrl_c_keeps_every_finished_probe(write_probe: WriteProbe, tmp_path: Path) -> None:
    write_probe(id="quick")
    write_probe(slow_probe("slow"), id="slow")
    output = tmp_path / "r.json"
    process = subprocess.Popen(
        sockmatrix("run", str(tmp_path / "probes"), "--output", str(output)),
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: ids_in(output) == ["quick"])
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted: 1 of 2 probe(s) finished" in stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [p["id"] for p in document["probes"]] == ["quick"]
    assert document["complete"] is False and document["finished"]


@POSIX_ONLY
def test_sigterm_ends_the_run_like_ctrl_c_with_143(write_probe: WriteProbe, tmp_path: Path) -> None:
    write_probe(id="quick")
    write_probe(slow_probe("slow"), id="slow")
    output = tmp_path / "r.json"
    process = subprocess.Popen(
        sockmatrix("run", str(tmp_path / "probes"), "--output", str(output)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: ids_in(output) == ["quick"])
    children = children_of(process.pid)
    assert children, "the slow probe's child is running"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143
    assert "terminated (SIGTERM): 1 of 2 probe(s) finished" in err
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(children, timeout=5)
    assert alive == []
    document = json.loads(output.read_text(encoding="utf-8"))
    assert ids_in(output) == ["quick"] and document["complete"] is False


class FakeProcess:
    """A child that never exits; Ctrl-C arrives during the third wait slice."""

    def __init__(self) -> None:
        self.timeouts: list[float] = []

    def wait(self, timeout: float) -> int:
        self.timeouts.append(timeout)
        if len(self.timeouts) == 3:
            raise KeyboardInterrupt
        raise subprocess.TimeoutExpired("child", timeout)

    def poll(self) -> None:
        return None


def test_waits_are_sliced_so_ctrl_c_is_seen() -> None:
    process = FakeProcess()
    with pytest.raises(KeyboardInterrupt):
        wait_in_slices(process, time.monotonic() + 3600)
    assert len(process.timeouts) == 3
    assert max(process.timeouts) <= 0.2


def test_ctrl_c_reaches_the_main_thread_while_probes_run_and_stops_them(
    write_probe: WriteProbe,
) -> None:
    from matrix.probe.validate import validate_file

    probe, _ = validate_file(write_probe(slow_probe("slow"), id="slow"))
    assert probe is not None
    runner = Runner()

    def interrupt_once_it_runs() -> None:
        wait_for(lambda: bool(runner._live))  # the probe's child is running
        _thread.interrupt_main()

    threading.Thread(target=interrupt_once_it_runs, daemon=True).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run_many([probe], workers=1)
    assert time.monotonic() - started < 8, "interrupt seen within a slice, child killed"
    assert runner._live == set()
