"""An append-only journal beside a file: lines added between two full writes of it.

Rewriting a whole file for every line added costs a run quadratic time; a
journal costs each line its own length. Rules of this module:
- ``<target>.journal`` starts with a line naming it (``#journal`` and a random
  token), then holds one line per entry. Knows nothing of what a line means.
- Lines are appended under the target's lock (matrix.files.write.locked): two
  appenders never interleave (O_APPEND alone promises that on POSIX, not on
  Windows, whose C runtime seeks to the end and writes in two steps), and a
  writer that folds the journal into the target and removes it, under the same
  lock, never loses a line being appended.
- A line is whole or absent. A write that fails (a full disk, an interrupt) is
  undone: the journal is cut back to its length before it. A line cut short by
  ``kill -9`` has no newline: readers leave it out, and the next appender cuts
  it away before writing its own.
- Each append is flushed to the disk (fsync) before it counts, as every full
  write is (matrix.files.write).
- Only a regular file is appended to or read, never through a symbolic link
  (O_NOFOLLOW where the OS has it; the descriptor is checked too).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from pathlib import Path
from typing import NamedTuple

from matrix.files.read import Unreadable, file_kind, read_bounded
from matrix.files.write import OutputRefused, unlink_patiently

HEADER = b"#journal "
HEADER_SIZE = len(HEADER) + 16 + 1  # and a token of 16 hex digits, and its newline
_HEADER_LINE = re.compile(rb"#journal ([0-9a-f]{16})\n")
_BACKTRACK_CHUNK = 1 << 16
# How long removing a folded journal is retried while Windows says it is held.
REMOVE_PATIENCE = 2.0
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# A FIFO planted as the journal must not block the open. POSIX open(), O_RDWR:
# "The result is undefined if this flag is applied to a FIFO."
# (https://pubs.opengroup.org/onlinepubs/9699919799/functions/open.html);
# O_NONBLOCK has no effect on a regular file. The descriptor check below then
# refuses anything but a regular file.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Journal(NamedTuple):
    """A journal as read: its token, its whole lines (each without its newline), and
    the bytes read (header and any cut line included)."""

    token: str
    lines: list[bytes]
    size: int


def journal_path(target: Path) -> Path:
    return target.with_name(target.name + ".journal")


def append_line(target: Path, line: bytes) -> int:
    """Append ``line`` (one line, ending in a newline) to ``target``'s journal, made
    if missing; the journal's size after it. Call with ``target``'s lock held."""
    if not line.endswith(b"\n") or b"\n" in line[:-1]:
        raise ValueError("a journal entry is exactly one line")
    journal = journal_path(target)
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | _BINARY | _NOFOLLOW | _NONBLOCK
    try:
        fd = os.open(journal, flags, 0o666)
    except OSError as exc:
        if _NOFOLLOW and os.path.islink(journal):
            raise OutputRefused(0, "is a symbolic link; not appended to", str(journal)) from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OutputRefused(0, f"is {file_kind(info.st_mode)}; not appended to", str(journal))
        size = _whole_lines_end(fd, info.st_size)
        if size != info.st_size:
            os.ftruncate(fd, size)  # a line cut short by a kill
        data = (HEADER + secrets.token_hex(8).encode() + b"\n" if size == 0 else b"") + line
        try:
            _write_all(fd, data)
            os.fsync(fd)
        except BaseException:
            # Undo a partial line (disk full, interrupt): whole or absent; a
            # journal this write made is removed (the lock is held: no one else
            # appends).
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
                if size == 0:
                    os.unlink(journal)
            raise
        return size + len(data)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # not seen on a regular file; never loop on it
            raise OSError(28, "No space left on device")
        view = view[written:]


def _whole_lines_end(fd: int, size: int) -> int:
    """Where the journal's whole lines end: ``size``, or the end of the last line
    that has its newline (0 when not even the header is whole)."""
    end = size
    while end > 0:
        start = max(0, end - _BACKTRACK_CHUNK)
        os.lseek(fd, start, os.SEEK_SET)
        chunk = _read_exactly(fd, end - start)
        if end == size and chunk.endswith(b"\n"):
            return size
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        end = start
    return 0


def _read_exactly(fd: int, count: int) -> bytes:
    parts: list[bytes] = []
    while count > 0 and (part := os.read(fd, count)):
        parts.append(part)
        count -= len(part)
    return b"".join(parts)


def read_journal(target: Path, limit: int) -> Journal | None:
    """``target``'s journal (None if there is none), at most ``limit`` bytes, or
    Unreadable with the reason. A last line without its newline is left out."""
    journal = journal_path(target)
    if not os.path.lexists(journal):
        return None
    try:
        data = read_bounded(journal, limit, follow=False)
    except Unreadable as exc:
        if not os.path.lexists(journal):
            return None  # folded and removed while being read
        raise Unreadable(f"has a journal ({journal.name}) that {exc}") from None
    header = _HEADER_LINE.match(data)
    if header is None:
        if len(data) < HEADER_SIZE and b"\n" not in data:
            return Journal("", [], len(data))  # its header was cut short: no entries yet
        raise Unreadable(f"has a journal ({journal.name}) that does not start as one")
    body = data[header.end() :]
    whole = body[: body.rfind(b"\n") + 1]
    return Journal(header.group(1).decode(), whole.split(b"\n")[:-1], len(data))


def journal_token(target: Path) -> str | None:
    """The token of ``target``'s journal now (None: there is none, or not yet a whole header)."""
    try:
        with open(journal_path(target), "rb") as handle:
            header = _HEADER_LINE.match(handle.read(HEADER_SIZE))
    except OSError:
        return None
    return header.group(1).decode() if header else None


def remove_journal(target: Path, patience: float = REMOVE_PATIENCE) -> None:
    """Remove ``target``'s journal once it is folded in. Call with the lock held.

    While Windows says another process holds it open, try again a little; a
    journal that stays is harmless: its lines are in the target, and folding
    them again changes nothing.
    """
    unlink_patiently(journal_path(target), patience)
