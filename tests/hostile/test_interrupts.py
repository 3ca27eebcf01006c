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
from helpers.synthetic import ids_in_file_alone

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


WRITE_FOREVER = """
import sys
from pathlib import Path
from matrix.results.document import ResultsWriter
from matrix.runner.interrupt import terminate_as_interrupt
sys.path.insert(0, sys.argv[2])
from helpers.hostile_corpus import fictional_results
record = fictional_results()["probes"][0]
writer = ResultsWriter(Path(sys.argv[1]))
with terminate_as_interrupt():
    writer.add(record)  # imports done, the schema compiled: from here on, only writes
    print("writing", flush=True)
    n = 0
    while True:
        writer.add({**record, "id": f"p{n % 50}"})
        n += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals sent from outside")
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_a_real_signal_mid_write_never_leaves_the_lock(tmp_path: Path, signal_name: str) -> None:
    """A run writing its results as fast as it can, stopped by a signal 25 times at
    moments spread over a write: the next write takes the lock at once each time."""
    import os
    import random
    import signal

    from helpers.paths import TESTS

    target = tmp_path / "fictional.json"
    chosen = random.Random(23)
    for _ in range(25):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITE_FOREVER, str(target), str(TESTS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        time.sleep(chosen.uniform(0.0, 0.05))
        writer.send_signal(getattr(signal, signal_name))
        writer.wait(30)
        started = time.monotonic()
        with locked(target, wait=10):
            pass
        assert time.monotonic() - started < 2, "a lock was left behind"
        assert lock_files(tmp_path) == []
    assert os.path.getsize(target) > 0


WRITE_AND_TELL = """
import sys
from pathlib import Path
from matrix.results.document import ResultsWriter
writer = ResultsWriter(Path(sys.argv[1]))
n = 0
while True:
    probe_id = f"{sys.argv[2]}-{n:05d}"
    writer.add({"id": probe_id, "sha256": "0" * 64, "status": "ok"})
    print(probe_id, flush=True)  # finished: on disk from here on
    n += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX SIGKILL sent from outside")
def test_kill_9_mid_run_loses_no_finished_record(tmp_path: Path) -> None:
    """A run writing records as fast as it can, killed with SIGKILL at moments spread
    over its appends: every record it said was finished is read back, and the next
    run folds the journal it left into the file."""
    import random
    import signal

    from matrix.files.journal import journal_path
    from matrix.results.document import ResultsWriter
    from matrix.results.read import read_results

    target = tmp_path / "fictional.json"
    chosen = random.Random(9)
    finished: list[str] = []
    for round_number in range(12):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITE_AND_TELL, str(target), f"r{round_number:02d}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert writer.stdout is not None
        for _ in range(chosen.randint(2, 40)):
            finished.append(writer.stdout.readline().strip())
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
        finished += [line.strip() for line in writer.stdout if line.strip()]
        seen = {r["id"] for r in read_results(target, 1)["probes"]}
        assert set(finished) <= seen, f"lost: {sorted(set(finished) - seen)[:5]}"
    assert journal_path(target).exists(), "the kills left a journal for the readers to fold"
    last = ResultsWriter(target)
    last.add({"id": "z-last", "sha256": "0" * 64, "status": "ok"})
    last.finish()
    assert not journal_path(target).exists()
    assert set(finished) | {"z-last"} <= set(ids_in_file_alone(target))
