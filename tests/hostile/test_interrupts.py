"""Interrupts and files: the results lock's life, symlinked probe files, unvalidated flags.

An interrupt (Ctrl-C, or SIGTERM raised as one) may land between any two
bytecodes: the lock must never be left behind by it, and a lock whose holder
has died must not make the next run wait. Probe files are never followed
through a symlink. Both APIs refuse MSG flags validation did not allow.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.interrupts import interrupt_everywhere, lock_files

from matrix.cli import main
from matrix.files.write import LockBusy, locked


def test_an_interrupt_wherever_one_can_land_never_leaves_the_lock(tmp_path: Path) -> None:
    points, left = interrupt_everywhere(tmp_path / "fictional.json")
    assert left == [], f"left behind by interrupts at points {left}"
    assert points > 20, "the tracer saw the lock's code"


HOLD_AND_DIE = """
import os, sys
from pathlib import Path
from matrix.files.write import locked
with locked(Path(sys.argv[1])):
    os._exit(0)  # as if killed: nothing after this runs
"""


def test_a_lock_whose_holder_died_does_not_stop_the_next_run(tmp_path: Path) -> None:
    target = tmp_path / "fictional.json"
    subprocess.run([sys.executable, "-c", HOLD_AND_DIE, str(target)], check=True, timeout=60)
    assert lock_files(tmp_path), "the dead holder left its lock"
    started = time.monotonic()
    with locked(target, wait=10):
        pass
    assert time.monotonic() - started < 2  # a hang guard: 10 s would be a LockBusy
    assert lock_files(tmp_path) == []


def test_a_live_holder_still_excludes_others(tmp_path: Path) -> None:
    target = tmp_path / "fictional.json"
    with locked(target), pytest.raises(LockBusy), locked(target, wait=0.2):
        pass


def test_a_symlinked_probe_file_is_refused_by_name_and_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpers.hostile_acts import make_symlinked_probe

    link = make_symlinked_probe(tmp_path)
    for command in (["validate", str(tmp_path / "probes")], ["validate", link]):
        assert main(command) == 2
        captured = capsys.readouterr()
        assert f"{link}: is a symbolic link" in captured.err
        assert "SECRET" not in captured.out + captured.err
