"""SO_LINGER and timeout encodings (timeval, milliseconds) per OS, with each OS's own constants."""

from __future__ import annotations

import socket
import struct
import sys

import pytest

from matrix.engine.abi.option_encodings import (
    DURATION_LAYOUTS,
    RAW_SO_LINGER,
    decode_duration,
    decode_linger,
    encode_duration,
    encode_linger,
    linger_layout,
    linger_size,
    option_constants,
)


def test_windows_linger_is_two_unsigned_shorts() -> None:
    level, optname, value = encode_linger(True, 2, "windows")
    assert (level, optname) == (0xFFFF, 0x0080)
    assert value == struct.pack("HH", 1, 2)
    assert len(value) == 4


def test_packing_two_ints_on_windows_would_mean_an_abortive_close() -> None:
    # The pitfall the Windows layout avoids: Winsock reads the first 4 bytes of
    # "ii" as {l_onoff=1, l_linger=0}.
    naive = struct.pack("<ii", 1, 5)
    assert struct.unpack("<HH", naive[:4]) == (1, 0)


def test_macos_uses_seconds_option_not_ticks() -> None:
    _level, optname, value = encode_linger(True, 2, "macos")
    assert optname == 0x1080  # SO_LINGER_SEC
    assert optname != RAW_SO_LINGER["macos"][0]
    assert struct.unpack("ii", value) == (1, 2)
    assert RAW_SO_LINGER["macos"][2] == 100  # plain SO_LINGER: 1/100 s ticks


def test_linux_linger_is_two_ints_in_seconds() -> None:
    level, optname, value = encode_linger(True, 3, "linux")
    assert (level, optname) == (1, 13)
    assert struct.unpack("ii", value) == (1, 3)


@pytest.mark.parametrize("family", ["linux", "macos", "windows"])
def test_decode_reads_back_what_encode_wrote(family: str) -> None:
    _, _, value = encode_linger(True, 7, family)
    assert decode_linger(value, family) == {"on": True, "seconds": 7}


@pytest.mark.skipif(sys.platform != "linux", reason="compares the Linux table with this OS")
def test_linux_table_matches_this_interpreter() -> None:
    layout = linger_layout("linux")
    assert (layout.level, layout.optname) == (socket.SOL_SOCKET, socket.SO_LINGER)


@pytest.mark.skipif(sys.platform != "darwin", reason="compares the macOS table with this OS")
def test_macos_table_matches_this_interpreter() -> None:
    # CPython is built with _DARWIN_C_SOURCE, so its SO_LINGER is the 1/100 s
    # ticks option (0x0080, XNU bsd/sys/socket.h); the seconds option
    # SO_LINGER_SEC (0x1080) is not exported, so it is checked only if it is.
    layout = linger_layout("macos")
    assert layout.level == socket.SOL_SOCKET
    assert RAW_SO_LINGER["macos"][0] == socket.SO_LINGER
    assert layout.optname == getattr(socket, "SO_LINGER_SEC", layout.optname)


def test_a_real_socket_round_trips_the_linger_encoding_of_this_os() -> None:
    from matrix.language.os_families import os_family

    family = os_family(sys.platform)
    with socket.socket() as sock:
        level, optname, value = encode_linger(True, 4, family)
        sock.setsockopt(level, optname, value)
        read = sock.getsockopt(level, optname, len(value))
    assert decode_linger(read, family) == {"on": True, "seconds": 4}


def test_option_constants_are_a_capability_check() -> None:
    assert option_constants("SO_RCVBUF") == (socket.SOL_SOCKET, socket.SO_RCVBUF)
    assert option_constants("SO_NO_SUCH_OPTION") is None
    if hasattr(socket, "TCP_NODELAY"):
        assert option_constants("TCP_NODELAY") == (socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_receive_timeout_is_a_timeval_on_posix_and_milliseconds_on_windows() -> None:
    from matrix.engine.abi.option_encodings import decode_duration, encode_duration

    assert encode_duration(1.5, "windows") == struct.pack("<I", 1500)
    assert len(encode_duration(1.5, "macos")) == 16
    assert struct.unpack("@li4x", encode_duration(1.5, "macos")) == (1, 500_000)
    assert struct.unpack("@ll", encode_duration(1.5, "linux")) == (1, 500_000)
    for family in ("linux", "macos", "windows"):
        assert decode_duration(encode_duration(2.25, family), family) == 2.25


@pytest.mark.parametrize(
    ("family", "fields"),
    [("linux", (1, 0)), ("macos", (1, 0)), ("netbsd", (1, 0)), ("windows", (1000,))],
)
def test_a_duration_just_under_a_second_carries_into_tv_sec(
    family: str, fields: tuple[int, ...]
) -> None:
    # Linux sock_set_timeout (net/core/sock.c) answers "tv.tv_usec >=
    # USEC_PER_SEC" with EDOM, XNU sooptcopyin_timeval likewise: never 1000000.
    fmt = DURATION_LAYOUTS[family][0]
    assert struct.unpack(fmt, encode_duration(0.9999996, family)) == fields


@pytest.mark.parametrize("family", ("freebsd", "openbsd", "netbsd", "illumos"))
def test_bsd_and_illumos_linger_is_two_ints_in_seconds_at_sol_socket_0xffff(family: str) -> None:
    level, optname, value = encode_linger(True, 2, family)
    assert (level, optname) == (0xFFFF, 0x0080)
    assert struct.unpack("ii", value) == (1, 2)
    assert decode_linger(value, family) == {"on": True, "seconds": 2}
    assert linger_size(family) == 8
    assert RAW_SO_LINGER[family] == (0x0080, "ii", 1)


def test_wsl1_uses_linuxs_abi_for_linger() -> None:
    assert encode_linger(True, 2, "wsl1") == encode_linger(True, 2, "linux")
    assert RAW_SO_LINGER["wsl1"] == RAW_SO_LINGER["linux"]


def test_netbsd_timeval_has_an_int_microseconds_field() -> None:
    # NetBSD: suseconds_t is int32_t; the others (LP64) use long.
    encoded = encode_duration(1.5, "netbsd")
    assert len(encoded) == 16
    assert struct.unpack("@qi4x", encoded) == (1, 500000)
    assert decode_duration(encoded, "netbsd") == 1.5
    for family in ("freebsd", "openbsd", "illumos", "wsl1"):
        assert struct.unpack("@ll", encode_duration(1.5, family)) == (1, 500000)
