"""Nothing lost, nothing left behind: partial runs, concurrent runs, SIGTERM,
kill -9 of the parent, outputs that must not be replaced, the umask, and
Windows' refusal to replace an open file (with fakes for Windows' errors)."""

from __future__ import annotations

import _thread
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from helpers.probes import slow_probe
from helpers.waiting import wait_for

from matrix.cli import main
from matrix.engine.child import EXIT_ORPHANED, EXIT_OVERRAN
from matrix.files import write as results_write
from matrix.results.document import ResultsNotWritten, ResultsWriter, new_document
from matrix.runner.runner import Runner, popen_options, wait_in_slices

WriteProbe = Callable[..., Path]
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and files")


def ids_in(path: Path) -> list[str]:
    try:
        return [p["id"] for p in json.loads(path.read_text(encoding="utf-8"))["probes"]]
    except (OSError, ValueError, KeyError):
        return []


def sockmatrix(*args: str) -> list[str]:
    return [sys.executable, "-m", "matrix", *args]


# -- a partial run keeps the other probes' results ---------------------------


def test_running_one_probe_keeps_every_other_result_with_its_provenance(
    write_probe: WriteProbe, tmp_path: Path
) -> None:
    alpha = write_probe(id="alpha")
    write_probe(id="beta")
    output = tmp_path / "r.json"
    assert main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet"]) == 0
    first = json.loads(output.read_text(encoding="utf-8"))
    assert main(["run", str(alpha), "--output", str(output), "--quiet"]) == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in document["probes"]}
    assert sorted(by_id) == ["alpha", "beta"]
    assert "run" not in by_id["alpha"], "this run's own record"
    assert by_id["beta"]["run"]["started"] == first["started"]
    assert by_id["beta"]["run"]["tool_version"] == first["tool"]["version"]
    # -k keeps the others too, and a record keeps its first provenance.
    assert main(["run", str(tmp_path / "probes"), "-k", "alpha", "--output", str(output)]) == 0
    again = {p["id"]: p for p in json.loads(output.read_text(encoding="utf-8"))["probes"]}
    assert again["beta"]["run"] == by_id["beta"]["run"]
    # --fresh starts over.
    assert main(["run", str(alpha), "--output", str(output), "--quiet", "--fresh"]) == 0
    assert ids_in(output) == ["alpha"]


def test_an_existing_file_of_another_platform_or_unreadable_is_never_merged_into(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="alpha")
    output = tmp_path / "r.json"
    other = new_document()
    other["platform"] = {**other["platform"], "key": "fictional-os-1.0-x86_64-py3.12"}
    for content, message in (
        (json.dumps(other), "holds the results of platform fictional-os-1.0-x86_64-py3.12"),
        ('{"half": ', "cannot be read as a results file"),
    ):
        output.write_text(content, encoding="utf-8")
        assert main(["run", str(tmp_path / "probes"), "--output", str(output)]) == 2
        err = capsys.readouterr().err
        assert message in err and "nothing was run" in err and "--fresh" in err
        assert output.read_text(encoding="utf-8") == content


def test_two_runs_writing_one_file_at_once_lose_nothing(
    write_probe: WriteProbe, tmp_path: Path
) -> None:
    names = [f"p{n}" for n in range(6)]
    for name in names:
        write_probe(id=name)
    output = tmp_path / "r.json"
    probes = tmp_path / "probes"
    runs = [
        subprocess.Popen(
            sockmatrix("run", *[str(probes / f"{n}.yaml") for n in group], "--output", str(output)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for group in (names[0::2], names[1::2])
    ]
    for process in runs:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert ids_in(output) == names
    assert not list(tmp_path.glob("*.lock")) and not list(tmp_path.glob(".*.tmp"))


def test_writers_in_threads_interleaving_keep_every_record(tmp_path: Path) -> None:
    output = tmp_path / "r.json"
    writers = [ResultsWriter(output) for _ in range(4)]

    def add(writer: ResultsWriter, base: int) -> None:
        for n in range(10):
            writer.add({"id": f"p{base + n:03d}", "sha256": "0" * 64, "status": "ok"})

    threads = [threading.Thread(target=add, args=(w, 100 * i)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids_in(output)) == 40


def test_a_stale_lock_is_broken_and_a_held_one_waited_for(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    lock = tmp_path / "r.json.lock"
    lock.write_text("12345 0\n", encoding="utf-8")
    old = time.time() - results_write.LOCK_STALE_SECONDS - 5
    os.utime(lock, (old, old))
    with results_write.locked(target, wait=1):
        assert lock.exists()
    assert not lock.exists()
    lock.write_text("fresh\n", encoding="utf-8")
    started = time.monotonic()
    with (
        pytest.raises(results_write.LockBusy, match=r"held for over 0\.3 s"),
        results_write.locked(target, wait=0.3),
    ):
        pass
    assert time.monotonic() - started < 2
    assert lock.read_text(encoding="utf-8") == "fresh\n", "a live lock is never broken"


# -- SIGTERM, kill -9, and children that must not outlive the run ------------


def children_of(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


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
    wait_for(lambda: bool(children_of(process.pid)))
    time.sleep(0.5)  # the child has read its request and is inside the probe
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
        "steps": [{"op": "sleep", "seconds": seconds}],
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
    time.sleep(0.5)
    child.stdin.close()
    try:
        assert child.wait(timeout=10) == EXIT_ORPHANED
    finally:
        stop(child)


# -- Windows: process groups, waits in slices, Ctrl-C -------------------------


class FakeWindowsSubprocess:
    """The part of Windows' subprocess module popen_options looks at."""

    CREATE_NEW_PROCESS_GROUP = 0x00000200  # Microsoft Learn, Process Creation Flags


def test_windows_children_get_their_own_process_group() -> None:
    assert popen_options(FakeWindowsSubprocess) == {"creationflags": 0x200}  # type: ignore[arg-type]


def test_posix_children_get_their_own_session() -> None:
    class Posix:
        pass

    assert popen_options(Posix) == {"start_new_session": True}  # type: ignore[arg-type]


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
    threading.Timer(1.0, _thread.interrupt_main).start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.run_many([probe], workers=1)
    assert time.monotonic() - started < 8, "interrupt seen within a slice, child killed"
    assert runner._live == set()


# -- outputs that must not be replaced, the umask, Windows' busy files -------


@POSIX_ONLY
@pytest.mark.parametrize("kind", ["symlink", "device", "fifo", "read-only"])
def test_output_that_is_not_a_plain_writable_file_is_refused(
    kind: str, write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="alpha")
    output = tmp_path / "out.json"
    if kind == "symlink":
        (tmp_path / "elsewhere.json").write_text("keep", encoding="utf-8")
        output.symlink_to(tmp_path / "elsewhere.json")
    elif kind == "device":
        output = Path(os.devnull)
    elif kind == "fifo":
        os.mkfifo(output)
    else:
        output.write_text("keep", encoding="utf-8")
        output.chmod(0o444)
    before = os.lstat(output)
    for fresh in ([], ["--fresh"]):
        assert main(["run", str(tmp_path / "probes"), "--output", str(output), *fresh]) == 2
        err = capsys.readouterr().err
        assert "sockmatrix replaces only regular files" in err or "read-only" in err
    after = os.lstat(output)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    # table --output goes through the same check.
    with pytest.raises(results_write.OutputRefused):
        results_write.write_text_atomic(output, "x")


@POSIX_ONLY
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_results_files_honour_the_umask(umask: int, tmp_path: Path) -> None:
    previous = os.umask(umask)
    try:
        results_write.write_text_atomic(tmp_path / "r.json", "{}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == 0o666 & ~umask


def windows_busy() -> PermissionError:
    error = PermissionError(13, "The process cannot access the file")
    error.winerror = 32  # type: ignore[attr-defined]  # ERROR_SHARING_VIOLATION
    return error


def test_replace_retries_while_windows_says_the_file_is_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace
    refusals = {"left": 5}

    def busy_then_free(source: Any, target: Any) -> None:
        if refusals["left"]:
            refusals["left"] -= 1
            raise windows_busy()
        real(source, target)

    monkeypatch.setattr(results_write.os, "replace", busy_then_free)
    results_write.write_text_atomic(tmp_path / "r.json", "{}")
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == "{}"
    assert refusals["left"] == 0


def test_a_posix_permission_error_is_not_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def denied(source: Any, target: Any) -> None:
        calls.append(target)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(results_write.os, "replace", denied)
    with pytest.raises(PermissionError):
        results_write.write_text_atomic(tmp_path / "r.json", "{}")
    assert len(calls) == 1


def test_a_run_keeps_going_while_the_file_is_open_and_writes_at_the_next_chance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace
    state = {"busy": True}

    def maybe_busy(source: Any, target: Any) -> None:
        if state["busy"] and str(target).endswith("r.json"):
            raise windows_busy()
        real(source, target)

    monkeypatch.setattr(results_write.os, "replace", maybe_busy)
    monkeypatch.setattr(ResultsWriter, "RUN_PATIENCE", 0.2)
    monkeypatch.setattr(ResultsWriter, "FINISH_PATIENCE", 0.2)
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add({"id": "a", "sha256": "0" * 64, "status": "ok"})  # busy: kept pending
    assert writer.pending and not output.exists()
    state["busy"] = False
    writer.add({"id": "b", "sha256": "0" * 64, "status": "ok"})
    assert ids_in(output) == ["a", "b"] and not writer.pending
    state["busy"] = True
    writer.add({"id": "c", "sha256": "0" * 64, "status": "ok"})
    with pytest.raises(ResultsNotWritten):
        writer.finish()
    assert ids_in(output) == ["a", "b"], "the last good file stays"
