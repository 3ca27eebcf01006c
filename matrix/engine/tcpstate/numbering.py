"""TCP state numbering and the per-OS ways to read a socket's own state, as data.

Rules of this module:
- Pure data and pure functions: no socket, no ctypes, no OS check. Every
  platform's numbering and layout is unit-tested on any machine by feeding it
  that platform's bytes.
- Every number names the header it comes from. States are reported with the
  names of RFC 793 section 3.2 (``SYN_RECEIVED``, ``FIN_WAIT_1`` ...), so the
  same state reads the same on every OS.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# Linux include/net/tcp_states.h (enum, TCP_ESTABLISHED = 1 ...). NEW_SYN_RECV is
# a request socket still waiting for the handshake's last ACK: SYN_RECEIVED.
# BOUND_INACTIVE (6.8+) is a bound, never-connected socket: RFC 793 has no TCB
# for it, so CLOSED, like TCP_CLOSE.
LINUX_STATES: dict[int, str] = {
    1: "ESTABLISHED",
    2: "SYN_SENT",
    3: "SYN_RECEIVED",  # TCP_SYN_RECV
    4: "FIN_WAIT_1",  # TCP_FIN_WAIT1
    5: "FIN_WAIT_2",  # TCP_FIN_WAIT2
    6: "TIME_WAIT",
    7: "CLOSED",  # TCP_CLOSE
    8: "CLOSE_WAIT",
    9: "LAST_ACK",
    10: "LISTEN",
    11: "CLOSING",
    12: "SYN_RECEIVED",  # TCP_NEW_SYN_RECV
    13: "CLOSED",  # TCP_BOUND_INACTIVE
}

# 4.4BSD netinet/tcp_fsm.h (TCPS_CLOSED = 0 ...): the same numbers in FreeBSD's
# sys/netinet/tcp_fsm.h and XNU's bsd/netinet/tcp_fsm.h.
BSD_STATES: dict[int, str] = {
    0: "CLOSED",
    1: "LISTEN",
    2: "SYN_SENT",
    3: "SYN_RECEIVED",
    4: "ESTABLISHED",
    5: "CLOSE_WAIT",
    6: "FIN_WAIT_1",
    7: "CLOSING",
    8: "LAST_ACK",
    9: "FIN_WAIT_2",
    10: "TIME_WAIT",
}

# Windows mstcpip.h TCPSTATE (Microsoft Learn, "TCPSTATE enumeration"):
# TCPSTATE_CLOSED = 0 ... TCPSTATE_TIME_WAIT = 10, in RFC 793's order.
WINDOWS_STATES: dict[int, str] = {
    0: "CLOSED",
    1: "LISTEN",
    2: "SYN_SENT",
    3: "SYN_RECEIVED",  # TCPSTATE_SYN_RCVD
    4: "ESTABLISHED",
    5: "FIN_WAIT_1",
    6: "FIN_WAIT_2",
    7: "CLOSE_WAIT",
    8: "CLOSING",
    9: "LAST_ACK",
    10: "TIME_WAIT",
}

# psutil's status strings (psutil/_common.py CONN_*), which it derives from the
# same tables on each OS. NONE is a socket with no TCP state (UDP): no TCB.
# DELETE_TCB is Windows' MIB_TCP_STATE_DELETE_TCB: the TCB is being deleted.
PSUTIL_STATES: dict[str, str] = {
    "ESTABLISHED": "ESTABLISHED",
    "SYN_SENT": "SYN_SENT",
    "SYN_RECV": "SYN_RECEIVED",
    "FIN_WAIT1": "FIN_WAIT_1",
    "FIN_WAIT2": "FIN_WAIT_2",
    "TIME_WAIT": "TIME_WAIT",
    "CLOSE": "CLOSED",
    "CLOSE_WAIT": "CLOSE_WAIT",
    "LAST_ACK": "LAST_ACK",
    "LISTEN": "LISTEN",
    "CLOSING": "CLOSING",
    "NONE": "CLOSED",
    "DELETE_TCB": "CLOSED",
}


@dataclass(frozen=True)
class Refusal:
    """An error a state call answers that names a state, not a failure of the call."""

    errno: int  # the OS's raw number
    state: str  # the RFC 793 state it means
    since_release: int  # the OS's first major release where it means only that
    source: str


@dataclass(frozen=True)
class OwnStateLayout:
    """Where one OS keeps a socket's own TCP state, and how to read it."""

    mechanism: str  # what the call is called there, for the observation
    level: int  # getsockopt level (IPPROTO_TCP); 0 for an ioctl
    optname: int  # getsockopt option, or the ioctl's control code
    size: int  # bytes to ask for: the whole struct, which some OSes insist on
    state_format: str  # struct format of the state field at offset 0
    numbering: dict[int, str]
    source: str
    refusals: tuple[Refusal, ...] = ()


# Windows TCP_INFO_v0 (mstcpip.h): TCPSTATE State; ULONG Mss; ULONG64
# ConnectionTimeMs; BOOLEAN TimestampsEnabled; seven ULONGs; two ULONG64; five
# ULONGs; UCHAR SynRetrans. With the natural alignment MSVC uses, 88 bytes.
WINDOWS_TCP_INFO_V0 = "<iIQ?3x7IQQ5IB3x"
# mstcpip.h: #define SIO_TCP_INFO _WSAIORW(IOC_VENDOR,39), where _WSAIORW is
# IOC_IN|IOC_OUT (0x80000000|0x40000000) and IOC_VENDOR is 0x18000000.
SIO_TCP_INFO = 0x80000000 | 0x40000000 | 0x18000000 | 39

OWN_STATE_LAYOUTS: dict[str, OwnStateLayout] = {
    # Linux include/uapi/linux/tcp.h: TCP_INFO 11; struct tcp_info begins with
    # __u8 tcpi_state. The kernel copies min(len, sizeof) bytes, so 1 is enough.
    "linux": OwnStateLayout(
        "getsockopt TCP_INFO", 6, 11, 1, "B", LINUX_STATES, "include/uapi/linux/tcp.h"
    ),
    # FreeBSD sys/netinet/tcp.h: TCP_INFO 32; struct tcp_info begins with
    # u_int8_t tcpi_state, numbered as in tcp_fsm.h. Asking for more than the
    # struct is harmless (sooptcopyout copies at most what the kernel has).
    "freebsd": OwnStateLayout(
        "getsockopt TCP_INFO",
        6,
        32,
        1024,
        "B",
        BSD_STATES,
        "FreeBSD sys/netinet/tcp.h",
        (
            # FreeBSD sys/netinet/tcp_usrreq.c tcp_ctloutput_get(): "if
            # (inp->inp_flags & INP_DROPPED) { ... return (ECONNRESET); }", and
            # INP_DROPPED is set by in_pcbdrop() from tcp_close(): the TCB is gone.
            # Before 14 the test was (INP_TIMEWAIT | INP_DROPPED): a connection in
            # TIME_WAIT answered the same, so there the error stays the answer.
            # 14 retired INP_TIMEWAIT (sys/netinet/in_pcb.h lists no such flag).
            Refusal(
                54,  # FreeBSD sys/sys/errno.h ECONNRESET
                "CLOSED",
                14,
                "FreeBSD tcp_ctloutput_get(): ECONNRESET for an INP_DROPPED pcb "
                "(tcp_close() ran: no TCB)",
            ),
        ),
    ),
    # XNU bsd/netinet/tcp.h: TCP_CONNECTION_INFO 0x106; struct
    # tcp_connection_info begins with u_int8_t tcpi_state (tcp_fsm.h numbers).
    # A dropped connection still answers: tcp_close() leaves t_state CLOSED
    # (bsd/netinet/tcp_subr.c) and tcp_ctloutput refuses only a NULL inp or tp
    # (bsd/netinet/tcp_usrreq.c, ECONNRESET).
    "macos": OwnStateLayout(
        "getsockopt TCP_CONNECTION_INFO",
        6,
        0x106,
        1024,
        "B",
        BSD_STATES,
        "XNU bsd/netinet/tcp.h",
    ),
    # Windows 10 1703+: WSAIoctl(SIO_TCP_INFO) with a DWORD version 0 in and a
    # TCP_INFO_v0 out; State is the TCPSTATE enum (an int) at offset 0.
    "windows": OwnStateLayout(
        "WSAIoctl SIO_TCP_INFO",
        0,
        SIO_TCP_INFO,
        struct.calcsize(WINDOWS_TCP_INFO_V0),
        "<i",
        WINDOWS_STATES,
        "Microsoft Learn, SIO_TCP_INFO control code; TCP_INFO_v0 structure",
    ),
}


def layout_family(family: str) -> str:
    """The key of OWN_STATE_LAYOUTS for an OS family (``freebsd14`` -> ``freebsd``)."""
    return "freebsd" if family.startswith("freebsd") else family


def own_state_layout(family: str) -> OwnStateLayout | None:
    """How ``family`` reports a socket's own state, or None where it has no such call."""
    return OWN_STATE_LAYOUTS.get(layout_family(family))


def refusal_meaning(layout: OwnStateLayout, number: int, release: int | None) -> Refusal | None:
    """The state an error of ``layout``'s call names on this release, if any."""
    for refusal in layout.refusals:
        if refusal.errno == number and release is not None and release >= refusal.since_release:
            return refusal
    return None


def decode_state(raw: bytes, layout: OwnStateLayout) -> tuple[str, int]:
    """(RFC 793 name, raw number) from the bytes the call returned.

    An unknown number is named ``UNKNOWN(<n>)`` rather than guessed: a newer
    kernel may add states, and the observation should say so.
    """
    size = struct.calcsize(layout.state_format)
    if len(raw) < size:
        raise ValueError(f"{layout.mechanism} returned {len(raw)} bytes, fewer than {size}")
    (number,) = struct.unpack_from(layout.state_format, raw)
    return layout.numbering.get(number, f"UNKNOWN({number})"), number


def psutil_state(status: str) -> str:
    """RFC 793 name for one of psutil's connection status strings."""
    return PSUTIL_STATES.get(status, f"UNKNOWN({status})")
