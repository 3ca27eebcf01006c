"""FIFOs, devices, links, folders and huge sparse files named as probe or results files:
refused by name, never read (reading one would hang or exhaust memory).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from helpers.fuzz import FUZZ_CLASSES
from hypothesis import given
from hypothesis import strategies as st

from matrix.cli import main
from matrix.probe.validate import MAX_FILE_BYTES, validate_file
from matrix.table.merge import load_and_merge

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and modes")


@POSIX_ONLY
def test_a_probe_named_by_a_symlink_to_a_device_in_a_folder_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "probes"
    folder.mkdir()
    (folder / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.yaml")
    started = time.perf_counter()
    assert main(["validate", str(folder)]) in (0, 2)
    assert time.perf_counter() - started < 3


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
def test_a_probe_path_that_is_a_fifo_or_device_is_never_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        started = time.perf_counter()
        probe, problems = validate_file(path)
        assert probe is None and "not a regular file" in problems[0].message
        assert time.perf_counter() - started < 1


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    _, problems = validate_file(path)
    assert time.perf_counter() - started < 1
    assert problems[0].message == f"file is {50 * 1024 * 1024} bytes; the limit is {MAX_FILE_BYTES}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
@FUZZ_CLASSES
@given(kind=st.sampled_from(["fifo", "zero", "null", "dir", "dangling", "loop"]))
def test_special_files_as_probe_or_results_paths(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("special")
    path = folder / "p.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(folder / "missing")
    elif kind == "loop":
        path.symlink_to(path)
    else:
        path.symlink_to("/dev/zero" if kind == "zero" else "/dev/null")
    started = time.perf_counter()
    probe, problems = validate_file(path)
    assert probe is None and problems and problems[0].file == str(path)
    merged = load_and_merge([path], [])
    assert merged.skipped and merged.skipped[0].file == str(path)
    assert time.perf_counter() - started < 2
