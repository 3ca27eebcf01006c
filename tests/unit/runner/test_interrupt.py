"""Faults in the middle of a run: each ends with a clear message, a valid results
file holding every probe that finished (or the previous file untouched), and a
non-zero exit status."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.probes import slow_probe
from helpers.waiting import wait_for

from matrix.cli import main
from matrix.files import write as results_write
from matrix.probe.validate import validate_file
from matrix.results import document as results_module
from matrix.runner.runner import Runner

WriteProbe = Callable[..., Path]
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="sends POSIX signals")


def probes_in(path: Path) -> list[str]:
    try:
        return [p["id"] for p in json.loads(path.read_text(encoding="utf-8"))["probes"]]
    except (OSError, ValueError):
        return []


@POSIX_ONLY
def test_ctrl_c_keeps_every_finished_probe(write_probe: WriteProbe, tmp_path: Path) -> None:
    write_probe(id="quick")
    write_probe(slow_probe("slow"), id="slow")
    output = tmp_path / "r.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "matrix", "run", str(tmp_path / "probes"), "--output", str(output)],
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: probes_in(output) == ["quick"])
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "interrupted: 1 of 2 probe(s) finished" in stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [p["id"] for p in document["probes"]] == ["quick"]
    assert document["complete"] is False and document["finished"]


def test_killing_a_probe_child_records_a_crash_and_the_run_goes_on(
    write_probe: WriteProbe,
) -> None:
    slow, _ = validate_file(write_probe(slow_probe("victim"), id="victim"))
    quick, _ = validate_file(write_probe(id="bystander"))
    assert slow is not None and quick is not None
    runner = Runner()

    def kill_the_victim() -> None:
        wait_for(lambda: len(runner._live) == 1 and quick_done.is_set())
        for process in list(runner._live):
            process.kill()  # SIGKILL on POSIX, TerminateProcess on Windows

    quick_done = threading.Event()
    killer = threading.Thread(target=kill_the_victim)
    killer.start()
    records = runner.run_many(
        [slow, quick], workers=2, on_done=lambda r: r["id"] == "bystander" and quick_done.set()
    )
    killer.join()
    by_id = {r["id"]: r for r in records}
    assert by_id["bystander"]["status"] == "ok"
    assert by_id["victim"]["status"] == "crashed"
    assert "before reporting a result" in by_id["victim"]["reason"]
    if sys.platform != "win32":
        assert "killed by signal 9" in by_id["victim"]["reason"]


@POSIX_ONLY
def test_killing_an_xdist_worker_still_writes_the_other_results(
    pytester: pytest.Pytester,
) -> None:
    probes = pytester.path / "probes"
    probes.mkdir()
    for name in ("alpha", "beta", "victim"):
        (probes / f"{name}.yaml").write_text(slow_probe(name, seconds=0.2), encoding="utf-8")
    pytester.makeconftest("""
        import os, signal
        def pytest_runtest_call(item):
            if item.name == "victim":
                os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = pytester.runpytest_subprocess(
        "probes", "-n", "2", "--max-worker-restart", "1", "--sockmatrix-results", "out.json"
    )
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*victim*crashed*"])
    document = json.loads((pytester.path / "out.json").read_text(encoding="utf-8"))
    assert sorted(p["id"] for p in document["probes"]) == ["alpha", "beta"]


def test_unwritable_results_folder_gives_a_clear_message(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="alpha")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("I am a file", encoding="utf-8")
    output = not_a_folder / "r.json"
    status = main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"cannot write results to {output}" in err
    assert "Traceback" not in err
    assert not_a_folder.read_text(encoding="utf-8") == "I am a file"


def test_results_folder_turning_unwritable_keeps_the_previous_file(
    write_probe: WriteProbe,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_probe(id="alpha")
    write_probe(id="beta")
    output = tmp_path / "r.json"
    previous = '{"previous": "run"}\n'
    output.write_text(previous, encoding="utf-8")

    def refuse(source: str, target: Path, patience: float) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(results_write, "replace_patiently", refuse)
    # --fresh: the previous file is not a results file, which a merging run refuses.
    command = ["run", str(tmp_path / "probes"), "--output", str(output), "--quiet", "--fresh"]
    status = main(command)
    assert status == 1
    assert "Permission denied" in capsys.readouterr().err
    assert output.read_text(encoding="utf-8") == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probes", "r.json"]


def test_disk_filling_while_writing_keeps_the_last_good_file(
    write_probe: WriteProbe,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_probe(id="alpha")
    write_probe(id="beta")
    output = tmp_path / "r.json"
    real_fdopen = os.fdopen
    writes = {"count": 0}

    class FillsUp:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> FillsUp:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, text: str) -> int:
            writes["count"] += 1
            if writes["count"] > 1:  # the first probe's write fits; then the disk is full
                raise OSError(errno.ENOSPC, "No space left on device")
            return int(self.handle.write(text))

        def flush(self) -> None:
            self.handle.flush()

        def fileno(self) -> int:
            return int(self.handle.fileno())

    monkeypatch.setattr(results_module.os, "fdopen", lambda *a, **k: FillsUp(real_fdopen(*a, **k)))
    status = main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet", "-n", "1"])
    assert status == 1
    assert "No space left on device" in capsys.readouterr().err
    document = json.loads(output.read_text(encoding="utf-8"))
    assert len(document["probes"]) == 1, "the file holds the probe that finished first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probes", "r.json"]
