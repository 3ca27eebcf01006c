"""The BSD-derived socket ABIs: Darwin (macOS), FreeBSD, OpenBSD, NetBSD.

All four start a sockaddr with ``uint8_t sa_len; sa_family_t sa_family`` where
sa_family_t is 8 bits, and share AF_INET 2, MSG_OOB 1, MSG_PEEK 2, MSG_WAITALL
0x40, MSG_DONTWAIT 0x80, the classic POLL* values and EAGAIN 35. They differ in
AF_INET6, MSG_NOSIGNAL, POLLRDHUP, fd_set and struct timeval. Sources:
- Darwin: XNU bsd/sys/socket.h (AF_INET6 30; MSG_NOSIGNAL 0x80000 "do not
  generate SIGPIPE on EOF"), bsd/sys/_types/_fd_def.h (__int32_t fds_bits[],
  __DARWIN_FD_SETSIZE 1024), bsd/sys/_types/_timeval.h ({long tv_sec;
  __int32_t tv_usec;}), bsd/sys/poll.h (nfds_t unsigned int, no POLLRDHUP),
  bsd/sys/errno.h (EAGAIN 35).
- FreeBSD: sys/sys/socket.h (AF_INET6 28, MSG_NOSIGNAL 0x20000),
  sys/sys/select.h (__fd_mask unsigned long, FD_SETSIZE 1024), sys/sys/poll.h
  (POLLRDHUP 0x4000, nfds_t unsigned int), sys/sys/_timeval.h (suseconds_t long).
- OpenBSD: sys/sys/socket.h (AF_INET6 24, MSG_NOSIGNAL 0x400), sys/sys/select.h
  (__fd_mask uint32_t, FD_SETSIZE 1024), sys/sys/poll.h (no POLLRDHUP).
- NetBSD: sys/sys/socket.h (AF_INET6 24, MSG_NOSIGNAL 0x0400), sys/sys/fd_set.h
  (__fd_mask uint32_t, FD_SETSIZE 256), sys/sys/time.h (suseconds_t int).
"""

from __future__ import annotations

from matrix.engine.abi.layout import Abi

_POLL = {"IN": 0x1, "PRI": 0x2, "OUT": 0x4, "ERR": 0x8, "HUP": 0x10, "NVAL": 0x20}
_MSG = {"OOB": 0x1, "PEEK": 0x2, "WAITALL": 0x40, "DONTWAIT": 0x80}
_COMMON: dict[str, object] = {
    "library": "process",
    "error_source": "errno",
    "close_function": "close",
    "poll_function": "poll",
    "handle_format": "i",
    "invalid_handle": -1,
    "af_inet": 2,
    "sin_len": True,
    "sockaddr_in6_size": 28,
    "fd_set_kind": "bits",
    "nfds_format": "I",
    "would_block": frozenset({35}),  # EAGAIN == EWOULDBLOCK (BSD numbering)
    # close(2) on the BSDs releases the descriptor even when it reports an error.
    "close_keeps_handle": frozenset(),
}

DARWIN = Abi(
    name="darwin",
    af_inet6=30,
    fd_setsize=1024,
    fd_word_format="I",
    timeval_format="=qi4x",
    msg={**_MSG, "NOSIGNAL": 0x80000},
    poll={**_POLL, "RDHUP": None},
    source="XNU bsd/sys/socket.h, _fd_def.h, _timeval.h, poll.h",
    **_COMMON,  # type: ignore[arg-type]
)
FREEBSD = Abi(
    name="freebsd",
    af_inet6=28,
    fd_setsize=1024,
    fd_word_format="Q",
    timeval_format="=qq",
    msg={**_MSG, "NOSIGNAL": 0x20000},
    poll={**_POLL, "RDHUP": 0x4000},
    source="FreeBSD sys/sys/socket.h, select.h, poll.h, _timeval.h",
    **_COMMON,  # type: ignore[arg-type]
)
OPENBSD = Abi(
    name="openbsd",
    af_inet6=24,
    fd_setsize=1024,
    fd_word_format="I",
    timeval_format="=qq",
    msg={**_MSG, "NOSIGNAL": 0x400},
    poll={**_POLL, "RDHUP": None},
    source="OpenBSD sys/sys/socket.h, select.h, poll.h",
    **_COMMON,  # type: ignore[arg-type]
)
NETBSD = Abi(
    name="netbsd",
    af_inet6=24,
    fd_setsize=256,
    fd_word_format="I",
    timeval_format="=qi4x",
    msg={**_MSG, "NOSIGNAL": 0x400},
    poll={**_POLL, "RDHUP": None},
    source="NetBSD sys/sys/socket.h, fd_set.h, time.h, poll.h",
    **_COMMON,  # type: ignore[arg-type]
)
