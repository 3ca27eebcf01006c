"""What `sockmatrix run` does with its results file: nothing lost, nothing replaced.

A partial run keeps the other probes' results; two runs writing one file lose
nothing; an output that is not a plain writable file is refused; a folder that
cannot be written, turns unwritable or fills up ends with a clear message and
the last good file.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.hostile_corpus import HEADER, TAIL
from helpers.probes import WriteProbe
from helpers.processes import sockmatrix
from helpers.synthetic import ids_in

from matrix.cli import main
from matrix.files import journal as journal_module
from matrix.files import write as results_write
from matrix.results import document as results_module
from matrix.results.document import new_document

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and files")


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


def test_a_run_starts_probes_by_the_durations_its_results_file_recorded(
    write_probe: WriteProbe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matrix.runner.runner import Runner

    write_probe(id="alpha")
    write_probe(id="beta")
    output = tmp_path / "r.json"
    assert main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet"]) == 0
    recorded = {p["id"]: p["duration"] for p in json.loads(output.read_text("utf-8"))["probes"]}
    given: list[object] = []
    real = Runner.run_many

    def noting(self: Runner, *args: Any, **kwargs: Any) -> Any:
        given.append(kwargs.get("durations"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Runner, "run_many", noting)
    assert main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet"]) == 0
    assert main(["run", str(tmp_path / "probes"), "--output", str(output), "--fresh"]) == 0
    assert given == [recorded, {}], "--fresh starts over: nothing recorded counts"


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


# -- outputs that must not be replaced, and writes that fail ------------------


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

    real_write_all = journal_module._write_all

    def journal_fills_up(fd: int, data: bytes) -> None:
        writes["count"] += 1
        real_write_all(fd, data[: len(data) // 2])  # half a line reaches the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(results_module.os, "fdopen", lambda *a, **k: FillsUp(real_fdopen(*a, **k)))
    monkeypatch.setattr(journal_module, "_write_all", journal_fills_up)
    status = main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet", "-n", "1"])
    assert status == 1
    assert "No space left on device" in capsys.readouterr().err
    document = json.loads(output.read_text(encoding="utf-8"))
    assert len(document["probes"]) == 1, "the file holds the probe that finished first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probes", "r.json"]


def test_output_that_is_a_folder_is_a_clear_message(
    write_probe: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probes = tmp_path / "probes"
    probes.mkdir()
    (probes / "p.yaml").write_text(HEADER.replace("id: hostile", "id: p") + TAIL, encoding="utf-8")
    folder = tmp_path / "out.json"
    folder.mkdir()
    assert main(["run", str(probes), "--output", str(folder)]) == 2
    assert "is a folder; sockmatrix replaces only regular files" in capsys.readouterr().err
