"""Writing a file others read: atomic replace, the umask, the lock, Windows' busy files (faked)."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers.faults import windows_busy

from matrix.files import write as results_write

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and files")


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


@POSIX_ONLY
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_results_files_honour_the_umask(umask: int, tmp_path: Path) -> None:
    previous = os.umask(umask)
    try:
        results_write.write_text_atomic(tmp_path / "r.json", "{}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "r.json").st_mode) == 0o666 & ~umask


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


@pytest.mark.parametrize("winerror", [5, 32])
def test_a_delete_pending_lock_is_waited_for_as_held(
    winerror: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to create (and to stat) a lock file another run deleted
    while a scanner still holds it: that is a held lock, not the end of the run."""
    real_open, real_stat = os.open, os.stat
    lock = str(tmp_path / "r.json.lock")
    refusals = {"open": 3, "stat": 2}

    def pending_open(path: Any, *args: Any) -> int:
        if str(path) == lock and refusals["open"]:
            refusals["open"] -= 1
            raise windows_busy(winerror)
        return real_open(path, *args)

    def pending_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if str(path) == lock and refusals["stat"]:
            refusals["stat"] -= 1
            raise windows_busy(winerror)
        return real_stat(path, *args, **kwargs)

    def pending_link(source: Any, path: Any, *args: Any, **kwargs: Any) -> None:
        # The lock is made by linking the holder's file to its name.
        if str(path) == lock and refusals["open"]:
            refusals["open"] -= 1
            raise windows_busy(winerror)
        real_link(source, path, *args, **kwargs)

    real_link = os.link
    monkeypatch.setattr(results_write.os, "open", pending_open)
    monkeypatch.setattr(results_write.os, "link", pending_link)
    monkeypatch.setattr(results_write.os, "stat", pending_stat)
    with results_write.locked(tmp_path / "r.json", wait=5):
        assert Path(lock).exists()
    assert refusals == {"open": 0, "stat": 0}
    assert not Path(lock).exists()


def test_a_lock_the_scanner_holds_at_release_is_removed_when_it_lets_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_unlink = os.unlink
    refusals = {"left": 3}

    def held_then_free(path: Any, *args: Any, **kwargs: Any) -> None:
        if refusals["left"]:
            refusals["left"] -= 1
            raise windows_busy()
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(results_write.os, "unlink", held_then_free)
    with results_write.locked(tmp_path / "r.json", wait=1):
        pass
    assert refusals["left"] == 0
    assert not (tmp_path / "r.json.lock").exists()


def test_a_lock_that_stays_held_at_release_does_not_hide_the_finished_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def always_held(path: Any, *args: Any, **kwargs: Any) -> None:
        raise windows_busy()

    monkeypatch.setattr(results_write.os, "unlink", always_held)
    monkeypatch.setattr(results_write, "LOCK_RELEASE_PATIENCE", 0.05, raising=False)
    with results_write.locked(tmp_path / "r.json", wait=1):
        results_write.write_text_atomic(tmp_path / "r.json", "{}")
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == "{}"


def test_a_posix_permission_error_on_the_lock_is_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(path: Any, *args: Any) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(results_write.os, "open", denied)
    started = time.monotonic()
    with pytest.raises(PermissionError), results_write.locked(tmp_path / "r.json", wait=5):
        pass
    assert time.monotonic() - started < 4
