"""The results document: fingerprint, atomic writes, interruption."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import pytest

from matrix.results.document import (
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
