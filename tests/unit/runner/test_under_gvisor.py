"""The gVisor launcher (matrix.runner.under_gvisor) with a stand-in runsc: no root, no sandbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.fake_runsc import VERSION_LINE, fake_runsc
from helpers.processes import children_of
from helpers.waiting import wait_for

from matrix.runner import under_gvisor
from matrix.runner.runner import PACKAGE_PARENT
from matrix.runner.under_gvisor import (
    RUNSC_FAILED,
    Sandbox,
    SandboxError,
    check_host,
    find_runsc,
    runsc_version,
    sandbox_command,
    sandbox_environment,
)

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="runsc runs on Linux only"
)


def test_another_os_is_refused_in_one_line() -> None:
    for platform in ("darwin", "win32", "freebsd14"):
        with pytest.raises(SandboxError, match=f"Linux only, and this is {platform}$"):
            check_host(platform, euid=lambda: 0)


def test_a_user_other_than_root_is_told_to_use_root() -> None:
    with pytest.raises(SandboxError, match=r"runsc needs root .*sudo"):
        check_host("linux", euid=lambda: 1000)
    check_host("linux", euid=lambda: 0)


def test_a_missing_runsc_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SandboxError) as raised:
        find_runsc({})
    message = str(raised.value)
    assert "runsc (gVisor) is not on PATH" in message
    assert "apt-get install runsc" in message and "gvisor.dev" in message
    assert "\n" not in message
    with pytest.raises(SandboxError, match="SOCKMATRIX_RUNSC=/nonexistent/runsc"):
        find_runsc({"SOCKMATRIX_RUNSC": "/nonexistent/runsc"})


def test_runsc_is_found_on_path_or_where_the_variable_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runsc = fake_runsc(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_runsc({}) == str(runsc)
    assert find_runsc({"SOCKMATRIX_RUNSC": str(runsc)}) == str(runsc)
    assert runsc_version(str(runsc)) == VERSION_LINE


def test_the_sandbox_is_netstack_with_host_writes_and_this_interpreter() -> None:
    command = sandbox_command("/x/runsc", ["-n", "2", "--", "p.yaml"], marker_file=False)
    assert command == [
        "/x/runsc",
        "--network=none",
        "do",
        "-force-overlay=false",
        "-quiet",
        sys.executable,
        "-m",
        "matrix",
        "run",
        "-n",
        "2",
        "--",
        "p.yaml",
    ]
    marked = sandbox_command("/x/runsc", [], marker_file=True)
    assert marked[:4] == ["/x/runsc", "--network=none", "--gvisor-marker-file", "do"]


def test_the_run_inside_is_told_runscs_version_network_and_to_expect_gvisor() -> None:
    env = sandbox_environment(VERSION_LINE, {"PATH": "/bin", "PYTHONPATH": "/mine"})
    assert env["SOCKMATRIX_RUNSC_VERSION"] == VERSION_LINE
    assert env["SOCKMATRIX_RUNSC_NETWORK"] == "none"
    assert env["SOCKMATRIX_UNDER"] == "gvisor"
    assert env["PYTHONPATH"].split(os.pathsep) == [PACKAGE_PARENT, "/mine"]
    assert env["PATH"] == "/bin"


def test_start_passes_the_marker_flag_only_to_a_runsc_that_has_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runsc = fake_runsc(tmp_path)
    monkeypatch.setenv("SOCKMATRIX_RUNSC", str(runsc))
    monkeypatch.setattr(under_gvisor, "check_host", lambda: None)
    monkeypatch.setattr(under_gvisor, "Sandbox", lambda command, env: (command, env))
    command, env = under_gvisor.start(["--quiet"])  # type: ignore[misc]
    assert "--gvisor-marker-file" not in command
    assert env["SOCKMATRIX_RUNSC_VERSION"] == VERSION_LINE
    monkeypatch.setenv("FAKE_RUNSC_MARKER", "1")
    command, _env = under_gvisor.start(["--quiet"])  # type: ignore[misc]
    assert "--gvisor-marker-file" in command


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_runscs_own_failure_is_one_line_with_its_reason(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    runsc = fake_runsc(tmp_path)
    env = {**os.environ, "FAKE_RUNSC_FAIL": "cannot set up cgroup: permission denied"}
    sandbox = Sandbox([str(runsc), "--network=none", "do", "true"], env)
    code = sandbox.wait()
    assert code == RUNSC_FAILED
    assert sandbox.failure(code) == (
        "runsc could not start the sandbox (exit 128): "
        "creating container: cannot set up cgroup: permission denied"
    )
    assert "permission denied" in capfd.readouterr().err  # runsc's own words, passed on
    assert sandbox.failure(0) is None and sandbox.failure(1) is None
    sandbox.close()


def test_the_run_insides_output_and_status_come_through(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code = "import sys; print('verdicts'); print('progress', file=sys.stderr); sys.exit(3)"
    sandbox = Sandbox(_python(code), dict(os.environ))
    assert sandbox.wait() == 3
    sandbox.close()
    captured = capfd.readouterr()
    assert "verdicts" in captured.out and "progress" in captured.err


def _ready_then_sleep(ready: Path, on_sigterm: str) -> list[str]:
    """A run inside that says when its SIGTERM handler is in place, then waits."""
    return _python(
        "import pathlib, signal, sys, time\n"
        f"signal.signal(signal.SIGTERM, {on_sigterm})\n"
        f"pathlib.Path({str(ready)!r}).touch()\n"
        "time.sleep(60)\n"
    )


def test_sigterm_is_passed_on_and_the_run_inside_ends_itself(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    sandbox = Sandbox(_ready_then_sleep(ready, "lambda *a: sys.exit(143)"), dict(os.environ))
    wait_for(ready.exists)
    started = time.monotonic()
    assert sandbox.stop(signal.SIGTERM) == 143
    assert time.monotonic() - started < under_gvisor.GRACE_SECONDS
    sandbox.close()


def test_a_run_inside_that_ignores_signals_is_killed_after_the_grace_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(under_gvisor, "GRACE_SECONDS", 0.5)
    ready = tmp_path / "ready"
    sandbox = Sandbox(_ready_then_sleep(ready, "signal.SIG_IGN"), dict(os.environ))
    wait_for(ready.exists)
    assert sandbox.stop(signal.SIGTERM) == -signal.SIGKILL
    assert sandbox.process.pid not in [c.pid for c in children_of(os.getpid())]
    sandbox.close()


def test_what_a_killed_runsc_leaves_in_its_tmpdir_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Like `runsc do`: a state directory under $TMPDIR, removed only on a normal end.
    monkeypatch.setattr(under_gvisor, "GRACE_SECONDS", 0.5)
    ready = tmp_path / "ready"
    code = (
        "import os, pathlib, signal, tempfile, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "state = tempfile.mkdtemp(prefix='runsc-do')\n"
        "pathlib.Path(state, 'config.json').write_text('{}')\n"
        f"pathlib.Path({str(ready)!r}).write_text(state)\n"
        "time.sleep(60)\n"
    )
    sandbox = Sandbox(_python(code), dict(os.environ))
    wait_for(ready.exists)
    state = Path(ready.read_text())
    assert state.parent == Path(sandbox.scratch) and state.is_dir()
    sandbox.stop(signal.SIGTERM)  # ignored: killed past the grace period
    sandbox.close()
    assert not Path(sandbox.scratch).exists()


def test_the_run_inside_stops_when_its_launcher_goes() -> None:
    # What a launcher killed outright leaves: the pipe to the run inside closes.
    code = (
        "import time\n"
        "from matrix.runner.interrupt import Terminated, terminate_as_interrupt\n"
        "from matrix.runner.under_gvisor import end_with_stdin\n"
        "try:\n"
        "    with terminate_as_interrupt():\n"
        "        end_with_stdin()\n"
        "        time.sleep(60)\n"
        "except Terminated:\n"
        "    print('stopped', flush=True)\n"
    )
    child = subprocess.Popen(
        _python(code),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": PACKAGE_PARENT},
    )
    assert child.stdin is not None and child.stdout is not None
    time.sleep(0.5)
    assert child.poll() is None  # still running while the pipe is open
    started = time.monotonic()
    child.stdin.close()
    assert child.stdout.read() == "stopped\n"
    assert child.wait(10) == 0
    assert time.monotonic() - started < 10  # woken, not at the end of its sleep
