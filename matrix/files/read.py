"""Read a file from a stranger: bounded, regular files only, strict JSON.

Probe files arrive in pull requests and results files as CI artifacts, from
forks and strangers. Every reader of either goes through :func:`read_bounded`,
which:

- opens regular files only: a symlink to /dev/zero or a FIFO is refused before
  it is read (checked on the path, then again on the open descriptor, which is
  opened nonblocking so a FIFO cannot block the open);
- refuses a file whose size is over the limit, and stops reading there too,
  counted while reading (a file can grow after its size is read).

:func:`parse_json` parses JSON with integers of at most MAX_INT_DIGITS digits
(Python refuses 4,300 and more with a ValueError), finite floats only
(``NaN``, ``Infinity`` and ``1e999`` slip past every comparison) and no lone
surrogates, and only after :func:`structure_problem` has estimated, from the
text alone, what the parsed document would cost in memory: ``json.loads``
builds a Python object per value (an empty ``{}`` of 3 bytes becomes a 64-byte
dict and a list slot), so a 16 MiB file of empty objects would take 460 MB.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

# A results file of 42 probes is about 150 kB; 1,000 probes with every
# observation stay under 8 MB.
MAX_RESULTS_BYTES = 16 * 1024 * 1024
MAX_INT_DIGITS = 40
_CHUNK = 1 << 20
_SURROGATE = re.compile("[\ud800-\udfff]")
# What parsing may cost, the text and its bytes included: with an idle
# interpreter's 40-50 MB, a reader stays within 200 MB for any file the size
# limit admits.
MAX_PARSE_MEMORY = 150 * 1024 * 1024
# No JSON text costs more than this many bytes of objects per byte of text (a
# list of empty objects: 72 bytes per 3; nested [{}]: 136 per 4), text included.
MAX_AMPLIFICATION = 48
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class Unreadable(Exception):
    """Why a file cannot be used (the message names no path)."""


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words (for refusals)."""
    for test, name in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_bounded(path: Path, limit: int = MAX_RESULTS_BYTES, follow: bool = True) -> bytes:
    """The bytes of a regular file, at most ``limit``; raise Unreadable otherwise.
    ``follow=False``: a symbolic link is refused too (O_NOFOLLOW where the OS has it)."""
    try:
        before = os.stat(path) if follow else os.lstat(path)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(before.st_mode):
        raise Unreadable(f"is {file_kind(before.st_mode)}, not a regular file; not read")
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open()
    # returns at once instead of waiting for a writer. Absent on Windows.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode):
            raise Unreadable(f"is {file_kind(now.st_mode)}, not a regular file; not read")
        if now.st_size > limit:
            raise Unreadable(f"is {now.st_size} bytes, over the {limit} byte limit; not read")
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, _CHUNK):
            total += len(chunk)
            if total > limit:
                raise Unreadable(f"is over the {limit} byte limit; not read further")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise Unreadable(f"holds an integer of {len(text)} digits; at most {MAX_INT_DIGITS}")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text[:400])
    if not math.isfinite(value) or len(text) > 400:
        raise Unreadable(f"holds a number that is not finite or too long ({text[:20]}…)")
    return value


def _no_constant(text: str) -> Any:
    raise Unreadable(f"holds {text}, which is not a number JSON allows")


# Bytes of Python objects per JSON token, 64-bit CPython 3.10-3.13 (measured with
# tracemalloc on files of nothing but that token; each includes its slot in the
# container that holds it): a dict, a list, a string (its characters counted
# apart), a number, a dict entry.
_DICT, _LIST, _STRING, _NUMBER, _ENTRY = 72, 64, 56, 36, 40
# For counting where numbers start: digits and '-' become "d", every other byte " ".
_NUMBER_STARTS = bytes(ord("d") if chr(byte) in "0123456789-" else ord(" ") for byte in range(256))


def _char_width(text: str) -> int:
    """Bytes per character of the widest string the parse may make."""
    if _SURROGATE_ESCAPE.search(text) or (not text.isascii() and max(text) > "\uffff"):
        return 4
    if re.search(r"\\u(?!00[0-9a-fA-F]{2})", text) or (not text.isascii() and max(text) > "\xff"):
        return 2
    return 1


def parse_cost(data: bytes, text: str) -> int:
    """An upper bound, in bytes, of what ``json.loads(text)`` and its input take.

    Counted, never built: every string costs a new object (json.loads shares equal
    keys, which makes real files cheaper than this bound), every colon a dict
    entry, and a value can be a number only where a digit or '-' starts a run.
    Brackets, colons and digits inside strings only raise the bound."""
    # Without escaped backslashes and quotes, every '"' left opens or closes a string.
    plain = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    strings = plain.count(b'"') // 2
    del plain
    dicts, lists, colons = data.count(b"{"), data.count(b"["), data.count(b":")
    values = data.count(b",") + lists + colons + 1
    starts = data.translate(_NUMBER_STARTS)
    numbers = min(values, starts.count(b" d") + starts.startswith(b"d"))
    del starts
    return (
        len(data)
        + sys.getsizeof(text)
        + _char_width(text) * len(data)  # the strings' characters, at most
        + _DICT * dicts
        + _LIST * lists
        + _ENTRY * colons
        + _STRING * strings
        + _NUMBER * numbers
    )


def structure_problem(data: bytes, text: str, budget: int = MAX_PARSE_MEMORY) -> str | None:
    """Why parsing ``text`` (decoded from ``data``) could cost more than ``budget``
    bytes of memory, or None."""
    if len(data) * MAX_AMPLIFICATION <= budget:
        return None  # small enough whatever it holds
    cost = parse_cost(data, text)
    if cost <= budget:
        return None
    return (
        f"could take up to {cost // 2**20} MB of memory to load ({len(data) // 2**20} MB of "
        f"text holding many small values); the limit is {budget // 2**20} MB; not read"
    )


def parse_json(data: bytes) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"is not UTF-8 text (byte {exc.start})") from None
    if (too_big := structure_problem(data, text)) is not None:
        raise Unreadable(too_big)
    try:
        document = json.loads(
            text,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated")
        hint = " (truncated?)" if at_end else ""
        raise Unreadable(f"is not valid JSON{hint}: {exc}") from None
    except RecursionError:
        raise Unreadable("is nested too deeply to be a results file") from None
    # Strict UTF-8 decoding refuses encoded surrogates, so a lone one can only come
    # from a \\uD800-\\uDFFF escape: without one in the text (a C-speed search),
    # nothing to walk. The walk alone costs twice json.loads on big files.
    if _SURROGATE_ESCAPE.search(text):
        _check_text(document)
    return document


def _check_text(document: Any) -> None:
    """No lone surrogates in any string or key (they crash every writer)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and (found := _SURROGATE.search(value)):
            raise Unreadable(
                f"holds a lone surrogate (U+{ord(found.group()):04X}) in a string, "
                "which is not text"
            )
