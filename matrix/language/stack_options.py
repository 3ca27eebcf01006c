"""Per-stack socket option facts the extra stacks differ in: data, with sources.

Format follows matrix/engine/abi/option_encodings.py (plain data keyed by OS family, the header
named beside each value), so the option table and the engine can use it and
tests can check every system's values on Linux. On the system itself,
``matches_running_python`` compares the data with Python's socket constants.

- Keepalive idle time: Linux, FreeBSD, NetBSD, illumos and Windows call it
  TCP_KEEPIDLE (with different numbers); macOS calls it TCP_KEEPALIVE; OpenBSD
  has no per-socket option at all (only the sysctl net.inet.tcp.keepidle).
- SO_LINGER counts seconds everywhere but macOS (ticks; see _options.py).
- IPV6_V6ONLY starts on where the source says so (Windows, FreeBSD, NetBSD,
  and OpenBSD, which has no IPv4-mapped addresses at all) and off elsewhere.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class KeepaliveOptions:
    idle: tuple[str, int] | None  # (name in the system's headers, number); None: no such option
    interval: tuple[str, int] | None
    count: tuple[str, int] | None
    source: str


KEEPALIVE: dict[str, KeepaliveOptions] = {
    # Linux include/uapi/linux/tcp.h: TCP_KEEPIDLE 4, TCP_KEEPINTVL 5, TCP_KEEPCNT 6.
    "linux": KeepaliveOptions(
        ("TCP_KEEPIDLE", 4), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 6), "linux/tcp.h"
    ),
    # WSL1 implements Linux's ABI: the same names and numbers.
    "wsl1": KeepaliveOptions(
        ("TCP_KEEPIDLE", 4), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 6), "linux/tcp.h (Linux ABI)"
    ),
    # XNU bsd/netinet/tcp.h: TCP_KEEPALIVE 0x10 ("idle time used when SO_KEEPALIVE
    # is enabled"), TCP_KEEPINTVL 0x101, TCP_KEEPCNT 0x102.
    "macos": KeepaliveOptions(
        ("TCP_KEEPALIVE", 0x10), ("TCP_KEEPINTVL", 0x101), ("TCP_KEEPCNT", 0x102), "XNU tcp.h"
    ),
    # Windows ws2ipdef.h: TCP_KEEPALIVE 3 (TCP_KEEPIDLE is its alias), TCP_KEEPCNT 16,
    # TCP_KEEPINTVL 17 (Windows 10 1709 and later; Microsoft Learn, IPPROTO_TCP socket options).
    "windows": KeepaliveOptions(
        ("TCP_KEEPIDLE", 3), ("TCP_KEEPINTVL", 17), ("TCP_KEEPCNT", 16), "ws2ipdef.h"
    ),
    # FreeBSD sys/netinet/tcp.h: "TCP_KEEPIDLE 256 /* L,N,X start keeplives after
    # this period */", TCP_KEEPINTVL 512, TCP_KEEPCNT 1024.
    "freebsd": KeepaliveOptions(
        ("TCP_KEEPIDLE", 256), ("TCP_KEEPINTVL", 512), ("TCP_KEEPCNT", 1024), "FreeBSD tcp.h"
    ),
    # NetBSD sys/netinet/tcp.h: TCP_KEEPIDLE 3, TCP_KEEPINTVL 5, TCP_KEEPCNT 6.
    "netbsd": KeepaliveOptions(
        ("TCP_KEEPIDLE", 3), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 6), "NetBSD tcp.h"
    ),
    # OpenBSD sys/netinet/tcp.h defines only TCP_NODELAY, TCP_MAXSEG, TCP_MD5SIG,
    # TCP_SACK_ENABLE (and TCP_NOPUSH, TCP_INFO in newer releases): no keepalive timing.
    "openbsd": KeepaliveOptions(None, None, None, "OpenBSD tcp.h (none)"),
    # illumos usr/src/uts/common/netinet/tcp.h: TCP_KEEPIDLE 0x22, TCP_KEEPCNT 0x23,
    # TCP_KEEPINTVL 0x24.
    "illumos": KeepaliveOptions(
        ("TCP_KEEPIDLE", 0x22), ("TCP_KEEPINTVL", 0x24), ("TCP_KEEPCNT", 0x23), "illumos tcp.h"
    ),
}

# The unit of struct linger's l_linger as the kernel reads it through SO_LINGER.
LINGER_UNITS: dict[str, str] = {
    "linux": "seconds",
    "wsl1": "seconds",
    "windows": "seconds",
    # XNU: SO_LINGER in clock ticks (1/100 s) under _DARWIN_C_SOURCE; SO_LINGER_SEC in seconds.
    "macos": "ticks",
    # FreeBSD, OpenBSD, NetBSD soclose(): sleeps so_linger * hz ticks, i.e. seconds.
    "freebsd": "seconds",
    "openbsd": "seconds",
    "netbsd": "seconds",
    # illumos: l_linger in seconds (socket.h, struct linger).
    "illumos": "seconds",
}

# IPV6_V6ONLY on a new AF_INET6 socket, per each system's default configuration.
# 1: IPv6 only; 0: IPv4-mapped addresses accepted. The sysctl that changes it is named.
IPV6_V6ONLY_DEFAULT: dict[str, tuple[int, str]] = {
    "linux": (0, "net.ipv6.bindv6only = 0 (ipv6(7))"),
    "wsl1": (0, "Linux ABI; not configurable per machine"),
    "macos": (0, "net.inet6.ip6.v6only = 0"),
    "windows": (1, "IPV6_V6ONLY: on by default (Microsoft Learn, Dual-Stack Sockets)"),
    "freebsd": (1, "net.inet6.ip6.v6only = 1 (inet6(4))"),
    "netbsd": (1, "net.inet6.ip6.v6only = 1 (ip6(4))"),
    "openbsd": (1, "no IPv4-mapped addresses: always IPv6 only (ip6(4))"),
    "illumos": (0, "IPV6_V6ONLY off by default (ip6(4P))"),
}


def matches_running_python(family: str) -> list[str]:
    """Where this process's socket module disagrees with the table for ``family``.

    Run on the system itself (the extra-stack legs run the tests there too), it
    catches a wrong number here; on other systems it is not meaningful.
    """
    mismatches = []
    options = KEEPALIVE[family]
    for entry in (options.idle, options.interval, options.count):
        if entry is None:
            continue
        name, number = entry
        actual = getattr(socket, name, None)
        if actual is not None and actual != number:
            mismatches.append(f"{name}: table {number}, socket module {actual}")
    if options.idle is None and hasattr(socket, "TCP_KEEPIDLE"):
        mismatches.append("TCP_KEEPIDLE: table has none, socket module has one")
    return mismatches
