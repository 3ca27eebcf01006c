"""Socket option encodings that differ between operating systems.

Rules of this module:
- A probe says what it means (``linger: {on: true, seconds: 2}``); this module
  turns that into the bytes the running OS expects, so the probe measures the
  OS and not a packing mistake.
- Every layout is plain data keyed by OS family, with the header it comes from,
  so the Windows and macOS encodings are unit-tested on Linux.
- A probe that wants to see what a naive C programmer would get asks for the
  raw encoding explicitly (``raw: {format: ii, values: [1, 2]}``) and bypasses
  everything here.
"""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

from matrix.engine.abi.layout import timeval_parts


# A NamedTuple, not a dataclass: see matrix.engine.abi.layout.
class LingerLayout(NamedTuple):
    """How one OS family wants ``struct linger`` for a linger time in seconds."""

    option: str  # the option's name in that OS's headers
    optname: int  # its value there
    level: int  # SOL_SOCKET there
    fmt: str  # struct layout of the linger struct
    units_per_second: int
    why: str


LINGER_LAYOUTS: dict[str, LingerLayout] = {
    # Linux <asm-generic/socket.h>: SO_LINGER 13, SOL_SOCKET 1, struct linger {int; int} in s.
    "linux": LingerLayout(
        "SO_LINGER", 13, 1, "ii", 1, "struct linger {int l_onoff; int l_linger;}"
    ),
    # macOS <sys/socket.h>: SO_LINGER (0x0080) counts clock ticks (1/100 s) when
    # _DARWIN_C_SOURCE is in effect, which is Python's case; SO_LINGER_SEC
    # (0x1080) takes seconds. Python does not export SO_LINGER_SEC.
    "macos": LingerLayout(
        "SO_LINGER_SEC",
        0x1080,
        0xFFFF,
        "ii",
        1,
        "SO_LINGER is in ticks on macOS; SO_LINGER_SEC takes seconds",
    ),
    # Windows <winsock2.h>: struct linger {u_short l_onoff; u_short l_linger;}.
    # Packing two ints there reads as l_onoff=1, l_linger=0: an abortive close.
    "windows": LingerLayout(
        "SO_LINGER", 0x0080, 0xFFFF, "HH", 1, "Winsock LINGER is two u_short members"
    ),
    # The BSDs' and illumos' <sys/socket.h>: SOL_SOCKET 0xffff, SO_LINGER 0x0080,
    # struct linger {int l_onoff; int l_linger;} in seconds (matrix/engine/abi/option_encodings.py).
    **{
        family: LingerLayout("SO_LINGER", 0x0080, 0xFFFF, "ii", 1, "BSD/SysV struct linger")
        for family in ("freebsd", "openbsd", "netbsd", "illumos")
    },
    # WSL1 takes Linux's ABI.
    "wsl1": LingerLayout("SO_LINGER", 13, 1, "ii", 1, "Linux ABI under WSL1"),
}

# What ``socket.SO_LINGER`` is on each family: the raw option a C programmer
# reaches for first. On macOS it counts ticks, hence the separate table above.
RAW_SO_LINGER: dict[str, tuple[int, str, int]] = {
    "linux": (13, "ii", 1),
    "macos": (0x0080, "ii", 100),
    "windows": (0x0080, "HH", 1),
    **{family: (0x0080, "ii", 1) for family in ("freebsd", "openbsd", "netbsd", "illumos")},
    "wsl1": (13, "ii", 1),
}


def linger_layout(family: str) -> LingerLayout:
    """The seconds-based linger layout for an OS family.

    Families without an entry use the POSIX layout with the running
    interpreter's SO_LINGER, which counts seconds there.
    """
    if family in LINGER_LAYOUTS:
        return LINGER_LAYOUTS[family]
    return LingerLayout("SO_LINGER", socket.SO_LINGER, socket.SOL_SOCKET, "ii", 1, "POSIX")


def encode_linger(on: bool, seconds: int, family: str) -> tuple[int, int, bytes]:
    """(level, optname, value) that set linger ``on``/``seconds`` on ``family``."""
    layout = linger_layout(family)
    value = struct.pack(layout.fmt, int(on), seconds * layout.units_per_second)
    return layout.level, layout.optname, value


def decode_linger(value: bytes, family: str) -> dict[str, int | bool]:
    """Read a linger struct fetched with the option :func:`encode_linger` used."""
    layout = linger_layout(family)
    onoff, linger = struct.unpack(layout.fmt, value[: struct.calcsize(layout.fmt)])
    return {"on": bool(onoff), "seconds": linger // layout.units_per_second}


def linger_size(family: str) -> int:
    return struct.calcsize(linger_layout(family).fmt)


# SO_RCVTIMEO / SO_SNDTIMEO: a duration, encoded three ways.
DURATION_LAYOUTS: dict[str, tuple[str, int, str]] = {
    # Linux <bits/types/struct_timeval.h>: {time_t tv_sec; suseconds_t tv_usec;}, both long.
    "linux": ("@ll", 1_000_000, "struct timeval {long tv_sec; long tv_usec;}"),
    # macOS <sys/_types/_timeval.h>: {long tv_sec; int tv_usec;} padded to 16 bytes;
    # XNU refuses a shorter buffer.
    "macos": ("@li4x", 1_000_000, "struct timeval {long tv_sec; int tv_usec;} + padding"),
    # Windows (setsockopt, SO_RCVTIMEO): "a DWORD in milliseconds".
    "windows": ("<I", 1000, "DWORD milliseconds"),
    # FreeBSD, OpenBSD, illumos (LP64): {time_t tv_sec; suseconds_t tv_usec;}, both long.
    **{
        f: ("@ll", 1_000_000, "struct timeval, two longs")
        for f in ("freebsd", "openbsd", "illumos")
    },
    # NetBSD <sys/types.h>: "typedef int suseconds_t", so {int64 tv_sec; int tv_usec;} + padding.
    "netbsd": ("@qi4x", 1_000_000, "struct timeval {time_t tv_sec; int tv_usec;} + padding"),
    "wsl1": ("@ll", 1_000_000, "Linux ABI"),
}


def encode_duration(seconds: float, family: str) -> bytes:
    """A socket timeout option value (SO_RCVTIMEO, SO_SNDTIMEO) for ``family``."""
    fmt, per_second, _ = DURATION_LAYOUTS.get(family, DURATION_LAYOUTS["linux"])
    if per_second == 1000:
        return struct.pack(fmt, round(seconds * 1000))
    # Carry a fraction that rounds up to a whole second (0.9999996 s is {1, 0},
    # not {0, 1000000}, which XNU refuses with EDOM): see _abi.timeval_parts.
    return struct.pack(fmt, *timeval_parts(seconds, per_second))


def decode_duration(value: bytes, family: str) -> float:
    fmt, per_second, _ = DURATION_LAYOUTS.get(family, DURATION_LAYOUTS["linux"])
    fields = struct.unpack_from(fmt, value.ljust(struct.calcsize(fmt), b"\0"))
    if per_second == 1000:
        return float(fields[0]) / 1000
    return float(fields[0]) + float(fields[1]) / per_second


def option_constants(name: str) -> tuple[int, int] | None:
    """(level, optname) for an allowed option on the running platform, or None if it has none.

    Goes through the allow-list (:mod:`matrix.language.option_allowlist`): an option not on
    it is never resolved, whichever module asks.
    """
    import sys

    from matrix.language.option_allowlist import OptionRefused, resolve
    from matrix.language.os_families import os_family

    try:
        return resolve(name, os_family(sys.platform))
    except OptionRefused:
        return None
