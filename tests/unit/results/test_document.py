"""The results document: fingerprint, atomic writes, the writer and its lock, interruption."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers.faults import windows_busy
from helpers.synthetic import ids_in, ids_in_file_alone

from matrix.files import write as results_write
from matrix.results.document import (
    ResultsNotWritten,
    ResultsWriter,
    ci_source,
    fingerprint,
    new_document,
    platform_key,
    write_atomic,
)
from matrix.tools.results_schema import results_schema


def test_fingerprint_names_the_platform_but_not_the_host() -> None:
    details = fingerprint()
    for key in ("os", "os_version", "machine", "python_version", "key"):
        assert details[key]
    text = json.dumps(details)
    assert socket.gethostname() not in text


def test_platform_key_is_a_safe_file_name() -> None:
    key = platform_key(
        {
            "os": "windows",
            "os_version": "10.0.26100",
            "machine": "ARM64",
            "python_version": "3.13.1",
        }
    )
    assert key == "windows-10.0.26100-arm64-py3.13"
    hostile = platform_key(
        {"os": "../etc", "os_version": "1/2", "machine": "x", "python_version": "3.1"}
    )
    assert re.fullmatch(r"[a-z0-9._-]+", hostile), hostile


def test_ci_source_from_github_environment() -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "42",
        "GITHUB_SHA": "abc",
        "ImageOS": "ubuntu24",
        "ImageVersion": "20250101.1",
    }
    assert ci_source(env) == {
        "run_url": "https://github.com/o/r/actions/runs/42",
        "commit": "abc",
        "image_os": "ubuntu24",
        "image_version": "20250101.1",
    }
    assert ci_source({}) == {}


def test_new_document_fits_the_results_schema() -> None:
    jsonschema.validate(new_document(), results_schema())


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    write_atomic(target, {"a": 1})
    write_atomic(target, {"a": 2})
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_concurrent_writers_never_leave_a_broken_file(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    documents = [{"writer": n, "payload": "x" * (20_000 + n)} for n in range(8)]
    stop = threading.Event()
    broken: list[str] = []

    def read_continuously() -> None:
        while not stop.is_set():
            if target.exists():
                try:
                    text = target.read_text(encoding="utf-8")
                except OSError:
                    continue  # Windows: the file can be mid-replace for a moment
                try:
                    json.loads(text)
                except ValueError as exc:
                    broken.append(str(exc))

    def write_many(document: dict[str, object]) -> None:
        for _ in range(25):
            write_atomic(target, document)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    writers = [threading.Thread(target=write_many, args=(d,)) for d in documents]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    stop.set()
    reader.join()
    assert broken == []
    assert json.loads(target.read_text(encoding="utf-8")) in documents
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_concurrent_writer_processes(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    script = (
        "import sys; from pathlib import Path; from matrix.results.document import write_atomic\n"
        "for i in range(30): write_atomic(Path(sys.argv[1]), {'writer': sys.argv[2], 'i': i})\n"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(target), str(n)]) for n in range(4)
    ]
    assert [p.wait(60) for p in processes] == [0, 0, 0, 0]
    assert json.loads(target.read_text(encoding="utf-8"))["i"] == 29


def test_interrupted_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    write_atomic(target, {"good": True})

    class Unserialisable:
        pass

    with pytest.raises(TypeError):
        write_atomic(target, {"bad": Unserialisable()})
    assert json.loads(target.read_text(encoding="utf-8")) == {"good": True}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_writer_keeps_every_finished_probe_and_marks_completion(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    writer = ResultsWriter(target)
    writer.add({"id": "b", "sha256": "0" * 64, "status": "ok"})
    on_disk = json.loads(target.read_text(encoding="utf-8"))
    assert on_disk["complete"] is False
    assert [p["id"] for p in on_disk["probes"]] == ["b"]
    writer.add({"id": "a", "sha256": "0" * 64, "status": "ok"})
    writer.finish(complete=False)
    on_disk = json.loads(target.read_text(encoding="utf-8"))
    assert [p["id"] for p in on_disk["probes"]] == ["a", "b"]
    assert on_disk["complete"] is False and on_disk["finished"]
    jsonschema.validate(on_disk, results_schema())
    # What a run writes is the compact text, one record per line (small diffs).
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and lines[1].startswith('{"id":"a"'), lines


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
    writer.add({"id": "c", "sha256": "0" * 64, "status": "ok"})  # to the journal: no replace
    with pytest.raises(ResultsNotWritten):
        writer.finish()
    assert ids_in_file_alone(output) == ["a", "b"], "the last good file stays"
    assert ids_in(output) == ["a", "b", "c"], "and its journal keeps the record after it"


def test_a_lock_that_is_held_makes_the_write_fail_cleanly_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "r.json"
    (tmp_path / "r.json.lock").mkdir()  # something else holds it (here: a folder)
    monkeypatch.setattr(results_write, "LOCK_WAIT_SECONDS", 0.3)
    monkeypatch.setattr(
        results_write,
        "locked",
        lambda target, wait=0.3, _real=results_write.locked: _real(target, wait),
    )
    writer = ResultsWriter(output)
    started = time.monotonic()
    with pytest.raises(ResultsNotWritten, match="held for over"):
        writer.add({"id": "a", "sha256": "0" * 64, "status": "ok"})
    assert time.monotonic() - started < 3
    assert not output.exists()


def test_results_text_is_compact_one_record_per_line_and_reads_back() -> None:
    from helpers.synthetic import record, results_document

    from matrix.results.document import results_text

    document = results_document(records=[record("a", "x: 1"), record("b", "y: \u202e2")])
    text = results_text(document)  # type: ignore[arg-type]
    assert json.loads(text) == document
    lines = text.splitlines()
    assert len(lines) == 4 and lines[1].startswith('{"id":"a"') and lines[2].startswith('{"id":"b"')
    assert text.isascii(), "no bidi or control text in a diff"
    assert json.loads(results_text(results_document()))["probes"] == []  # type: ignore[arg-type]
