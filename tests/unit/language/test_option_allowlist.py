"""The option allow-list: per-OS numbers from each OS's headers, and the engine's own check."""

from __future__ import annotations

import socket
import sys

import pytest

from matrix.language.option_allowlist import (
    KNOWN_OPTIONS,
    LEVEL_NAMES,
    LEVELS,
    OptionRefused,
    checked_set,
    resolve,
)


def test_linux_numbers_match_this_interpreter() -> None:
    """On Linux the table's numbers are the ones CPython was built with."""
    if not hasattr(socket, "SO_BINDTODEVICE"):
        pytest.skip("only meaningful on Linux")
    for name, option in KNOWN_OPTIONS.items():
        if "linux" in option.numbers and hasattr(socket, name):
            assert option.numbers["linux"] == getattr(socket, name), name
    assert LEVELS["socket"]["linux"] == socket.SOL_SOCKET


@pytest.mark.skipif(sys.platform != "darwin", reason="compares the macOS column with this OS")
def test_macos_numbers_match_this_interpreter() -> None:
    """On macOS the table's numbers (from XNU's headers) are the ones CPython was built with.

    Options CPython does not export on macOS (SO_NOSIGPIPE, TCP_NOPUSH) are
    not compared; TCP_KEEPIDLE is TCP_KEEPALIVE there.
    """
    compared = 0
    for name, option in KNOWN_OPTIONS.items():
        native = option.native.get("macos", name)
        if "macos" in option.numbers and hasattr(socket, native):
            assert option.numbers["macos"] == getattr(socket, native), name
            compared += 1
    assert compared >= 20, "too few options exported to compare: is this macOS?"
    for level, constant in LEVEL_NAMES.items():
        assert LEVELS[level]["macos"] == getattr(socket, constant), level


def test_macos_keepalive_idle_is_tcp_keepalive() -> None:
    # XNU bsd/netinet/tcp.h: #define TCP_KEEPALIVE 0x10 /* idle time used when
    # SO_KEEPALIVE is enabled */; macOS has no TCP_KEEPIDLE.
    assert resolve("TCP_KEEPIDLE", "macos") == (6, 0x10)
    assert resolve("TCP_KEEPINTVL", "macos") == (6, 0x101)
    assert resolve("TCP_KEEPCNT", "macos") == (6, 0x102)


def test_windows_numbers_come_from_the_winsock_headers() -> None:
    # winsock2.h SOL_SOCKET 0xffff, SO_RCVBUF 0x1002; ws2ipdef.h TCP_KEEPIDLE
    # (= TCP_KEEPALIVE) 3, TCP_KEEPCNT 16, TCP_KEEPINTVL 17, IPV6_V6ONLY 27.
    assert resolve("SO_RCVBUF", "windows") == (0xFFFF, 0x1002)
    assert resolve("TCP_KEEPIDLE", "windows") == (6, 3)
    assert resolve("TCP_KEEPCNT", "windows") == (6, 16)
    assert resolve("TCP_KEEPINTVL", "windows") == (6, 17)
    assert resolve("IPV6_V6ONLY", "windows") == (41, 27)
    assert resolve("SO_EXCLUSIVEADDRUSE", "windows") == (0xFFFF, -5)


def test_so_nosigpipe_has_its_number_on_every_bsd_that_has_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # CPython's socket module does not export SO_NOSIGPIPE: without the table's
    # numbers FreeBSD and NetBSD would record the option as missing. XNU
    # bsd/sys/socket.h 0x1022; FreeBSD and NetBSD sys/sys/socket.h 0x0800.
    monkeypatch.delattr(socket, "SO_NOSIGPIPE", raising=False)
    assert resolve("SO_NOSIGPIPE", "macos") == (0xFFFF, 0x1022)
    assert resolve("SO_NOSIGPIPE", "freebsd") == (0xFFFF, 0x800)
    assert resolve("SO_NOSIGPIPE", "netbsd") == (0xFFFF, 0x800)
    # OpenBSD, Linux and Windows have no such option.
    assert resolve("SO_NOSIGPIPE", "openbsd") is None
    assert resolve("SO_NOSIGPIPE", "linux") is None
    assert resolve("SO_NOSIGPIPE", "windows") is None


def test_an_option_an_os_lacks_resolves_to_none_not_an_error() -> None:
    assert resolve("SO_REUSEPORT", "windows") is None or hasattr(socket, "SO_REUSEPORT")
    assert resolve("TCP_NOPUSH", "linux") is None


def test_engine_check_refuses_names_and_values_off_the_list() -> None:
    with pytest.raises(OptionRefused, match="allow-list"):
        checked_set("SO_BINDTODEVICE", "raw", {"format": "4B", "values": [1, 2, 3, 4]})
    with pytest.raises(OptionRefused, match="only be read"):
        checked_set("SO_ERROR", "value", 1)
    with pytest.raises(OptionRefused, match="0 to 1"):
        checked_set("SO_REUSEADDR", "value", 7)
    with pytest.raises(OptionRefused, match="8 bytes"):
        checked_set("SO_RCVBUF", "raw", {"format": "q", "values": [1]})
    checked_set("SO_RCVBUF", "value", 4096)
    checked_set("SO_LINGER", "raw", {"format": "ii", "values": [1, 2]})
