"""Write results (and other outputs) so that nothing is lost and nothing is clobbered.

Rules of this module:
- Only a regular file is ever replaced: a symlink, a device, a FIFO or a
  read-only file given as an output is refused with a message, never silently
  turned into a regular file.
- The new file appears in one step (temporary file, then ``os.replace``) and is
  created with mode 0666 minus the umask, like any file the user makes.
- Windows refuses ``os.replace`` onto a file another process holds open (a
  reader, an editor, a virus scanner): that is retried with backoff, and a
  caller can keep running and write at the next chance (:class:`ReplaceBusy`).
- Runs that write the same results file merge under a lock file, made in one
  step with its content (a hard link to a file already written; O_CREAT|O_EXCL
  where links are not possible; portable: no fcntl, no msvcrt). It names its
  holder: process id, host and a token of its own. The lock is held for the
  milliseconds of one read-merge-write. Its life is safe against an interrupt
  (SIGINT, or SIGTERM raised as one) wherever one can land: only the holder's
  token can remove it, the removal is retried through a second interrupt, and
  a lock whose holder on this host is no longer running is broken at once; any
  other lock older than LOCK_STALE_SECONDS was left by a process that died and
  is broken.
- On Windows a lock file another run has just deleted can linger while a
  virus scanner or the indexer still holds a handle to it: "The DeleteFile
  function marks a file for deletion on close. Therefore, the file deletion
  does not occur until the last handle to the file is closed. Subsequent calls
  to CreateFile to open the file fail with ERROR_ACCESS_DENIED." (Microsoft
  Learn, DeleteFileW, Remarks:
  https://learn.microsoft.com/en-us/windows/win32/api/fileapi/nf-fileapi-deletefilew).
  Creating, inspecting or removing the lock then raises PermissionError with
  winerror 5 (or 32, a sharing violation): that is a held lock, waited for
  like any other, never the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from matrix.files.read import file_kind

LOCK_STALE_SECONDS = 30.0
LOCK_WAIT_SECONDS = 15.0
# How long removing our own lock is retried while Windows says it is held.
LOCK_RELEASE_PATIENCE = 2.0
# Windows error codes of a replace onto a file that is open elsewhere
# (winerror.h): ERROR_ACCESS_DENIED 5, ERROR_SHARING_VIOLATION 32.
_BUSY_WINERRORS = (5, 32)


class OutputRefused(OSError):
    """The output path is not a regular, writable file (or a new one)."""


class ReplaceBusy(PermissionError):
    """Windows kept refusing the replace: the file is open in another process."""


def output_problem(path: Path) -> str | None:
    """Why ``path`` must not be replaced with a new file, or None."""
    try:
        info = os.lstat(path)
    except OSError:
        # Missing, or its folder is not one: the write itself says why it fails.
        return None
    if not stat.S_ISREG(info.st_mode):
        return (
            f"is {file_kind(info.st_mode)}; sockmatrix replaces only regular files "
            "(give the path of a regular file, or of one that does not exist yet)"
        )
    if not info.st_mode & 0o222:
        return "is read-only; sockmatrix does not replace a read-only file"
    return None


def check_output(path: Path) -> None:
    problem = output_problem(path)
    if problem is not None:
        raise OutputRefused(0, problem, str(path))


def is_busy(exc: OSError) -> bool:
    """Windows' refusal to replace a file that is open elsewhere (and only that)."""
    return isinstance(exc, PermissionError) and getattr(exc, "winerror", None) in _BUSY_WINERRORS


def replace_patiently(source: str, target: Path, patience: float) -> None:
    """os.replace, retried with backoff for ``patience`` seconds while Windows says busy."""
    deadline = time.monotonic() + patience
    delay = 0.01
    while True:
        try:
            os.replace(source, target)
            return
        except PermissionError as exc:
            if not is_busy(exc):
                raise
            if time.monotonic() >= deadline:
                raise ReplaceBusy(exc.errno, exc.strerror, str(target)) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def write_text_atomic(path: Path, text: str, patience: float = 8.0) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old or the new file."""
    check_output(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    # 0o666 here and the process umask decide the mode, as for any new file.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        check_output(path)  # again: the path may have been swapped meanwhile
        replace_patiently(str(temp), path, patience)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class LockBusy(OSError):
    """Another run held the results file's lock for too long."""


@contextlib.contextmanager
def locked(target: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold ``<target>.lock`` while reading, merging and writing ``target``."""
    lock = target.with_name(target.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()} {platform.node()} {secrets.token_hex(8)}\n"
    # From here to the end, an interrupt may land between any two bytecodes: the
    # lock is removed by its token, wherever acquiring it was cut short.
    try:
        _acquire(lock, token, wait)
        yield
    finally:
        interrupted: BaseException | None = None
        while True:
            try:
                _release(lock, token)
                break
            except KeyboardInterrupt as exc:  # a second interrupt: finish, then raise it
                interrupted = exc
        if interrupted is not None:
            raise interrupted


def _spare(lock: Path, token: str) -> Path:
    """The holder's own file, written before it becomes the lock."""
    return lock.with_name(f"{lock.name}.{token.split()[-1]}")


def _acquire(lock: Path, token: str, wait: float) -> None:
    spare = _spare(lock, token)
    fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        os.write(fd, token.encode())
    finally:
        os.close(fd)
    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        try:
            _take(spare, lock, token)
            _sweep_spares(lock)
            return
        except (FileExistsError, PermissionError) as exc:
            # A delete-pending lock (Windows) is held, not an error (see above).
            if isinstance(exc, PermissionError) and not is_busy(exc):
                raise
            if _break_if_stale(lock):
                continue
            if time.monotonic() >= deadline:
                raise LockBusy(
                    0, f"{lock} has been held for over {wait:g} s by another run", str(lock)
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)


def _take(spare: Path, lock: Path, token: str) -> None:
    """Make ``lock`` exist with the holder's content in one step, or FileExistsError."""
    try:
        os.link(spare, lock)  # fails if the lock exists; never half-written
    except FileExistsError:
        raise
    except OSError as exc:
        if is_busy(exc):
            raise  # a delete-pending lock (Windows): held, see above
        # No hard links here (some file systems): create, then write.
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            os.write(fd, token.encode())
        finally:
            os.close(fd)


def _release(lock: Path, token: str) -> None:
    """Remove the holder's files; the lock only while it still holds ``token``.

    While Windows says a scanner holds it, try again a little. The results are
    written by now: a lock that still cannot be removed is left for the
    stale-lock rules, never turned into an error that would hide the finished
    write.
    """
    with contextlib.suppress(OSError):
        os.unlink(_spare(lock, token))
    if _holder(lock) != token:
        return
    unlink_patiently(lock, LOCK_RELEASE_PATIENCE)


def unlink_patiently(path: Path, patience: float) -> None:
    """Remove ``path`` (gone already is fine). While Windows says another process
    holds it open (a scanner, a reader), try again for up to ``patience`` seconds,
    then leave it: callers remove only what is harmless to leave behind."""
    deadline = time.monotonic() + patience
    delay = 0.01
    while True:
        try:
            os.unlink(path)
            return
        except FileNotFoundError:
            return
        except PermissionError as exc:
            if not is_busy(exc):
                raise
            if time.monotonic() >= deadline:
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _holder(lock: Path) -> str | None:
    try:
        with open(lock, encoding="utf-8", errors="replace") as handle:
            return handle.read(200)
    except OSError:
        return None


def _gone(holder: str | None) -> bool:
    """True when ``holder`` (a lock's content) names a process of this host that has ended."""
    parts = (holder or "").split()
    if len(parts) != 3 or not parts[0].isdigit() or parts[1] != platform.node():
        return False
    pid = int(parts[0])
    return pid != os.getpid() and not process_running(pid)


def process_running(pid: int) -> bool:
    """Whether process ``pid`` of this host runs (True when that cannot be told)."""
    if sys.platform == "win32":
        return _windows_process_running(pid)
    try:
        os.kill(pid, 0)  # signal 0: only checks (POSIX kill(2)); never used on Windows
    except ProcessLookupError:
        return False
    except OSError:
        return True  # EPERM: it runs, as another user
    return True


def _windows_process_running(pid: int) -> bool:
    """OpenProcess and GetExitCodeProcess (Microsoft Learn, processthreadsapi.h): a
    process that cannot be opened because it does not exist fails with
    ERROR_INVALID_PARAMETER (87); one that runs reports STILL_ACTIVE (259).
    os.kill(pid, 0) would end the process there (TerminateProcess)."""
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.OpenProcess.restype = ctypes.c_void_p
    kernel32.OpenProcess.argtypes = [ctypes.c_uint32, ctypes.c_int, ctypes.c_uint32]
    kernel32.GetExitCodeProcess.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32)]
    kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
    process_query_limited_information = 0x1000
    handle = kernel32.OpenProcess(process_query_limited_information, 0, pid)
    if not handle:
        return ctypes.get_last_error() != 87  # type: ignore[attr-defined,no-any-return]
    try:
        code = ctypes.c_uint32()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259
    finally:
        kernel32.CloseHandle(handle)


def _break_if_stale(lock: Path) -> bool:
    """Remove a lock left by a dead process; True if the caller should try again."""
    try:
        age = time.time() - os.stat(lock).st_mtime
    except FileNotFoundError:
        return True
    except PermissionError as exc:
        # Delete-pending on Windows: another run is removing it; not stale.
        if is_busy(exc):
            return False
        raise
    judged = _holder(lock)
    if age < LOCK_STALE_SECONDS and not _gone(judged):
        return False
    # Rename first, so two processes breaking the same stale lock cannot both
    # succeed: only one rename finds the file.
    aside = lock.with_name(f"{lock.name}.{secrets.token_hex(4)}.stale")
    try:
        os.replace(lock, aside)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if age < LOCK_STALE_SECONDS and _holder(aside) != judged:
        # Another run broke it and took the lock in between: give it back.
        with contextlib.suppress(OSError):
            os.link(aside, lock)
    with contextlib.suppress(OSError):
        os.unlink(aside)
    return True


def _sweep_spares(lock: Path) -> None:
    """Remove holders' files that a process which died (kill -9) left beside the lock."""
    for spare in lock.parent.glob(f"{lock.name}.*"):
        if spare.name.endswith(".stale") or not _gone(_holder(spare)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(spare)
