"""The illumos (and Solaris) socket ABI: SVR4 numbering, no sa_len.

Sources (illumos-gate): usr/src/uts/common/sys/socket_impl.h (``typedef
uint16_t sa_family_t``: 16-bit family, no length byte), sys/socket.h (AF_INET6
26; MSG_OOB 1, MSG_PEEK 2, MSG_WAITALL 0x40, MSG_DONTWAIT 0x80, MSG_NOSIGNAL
0x200), netinet/in.h (sockaddr_in6 carries ``__sin6_src_id``: 32 bytes),
sys/select.h (FD_SETSIZE 65536 for _LP64, fds_mask long), sys/poll.h (POLLRDHUP
0x4000, nfds_t unsigned long), sys/errno.h (EAGAIN 11, EWOULDBLOCK == EAGAIN).
The socket functions live in libsocket; Python's socket module has loaded it, so
the process-wide symbol lookup finds them. These are the plain names a C program
built with default flags calls; sys/socket.h maps them to ``__xnet_*`` variants
only under _XPG4_2.
"""

from __future__ import annotations

from matrix.engine.abi.layout import Abi

ILLUMOS = Abi(
    name="illumos",
    library="process",
    error_source="errno",
    close_function="close",
    poll_function="poll",
    handle_format="i",
    invalid_handle=-1,
    af_inet=2,
    af_inet6=26,
    sin_len=False,
    sockaddr_in6_size=32,
    fd_set_kind="bits",
    fd_setsize=65536,
    fd_word_format="Q",
    timeval_format="=qq",
    nfds_format="Q",
    would_block=frozenset({11}),
    close_keeps_handle=frozenset(),
    msg={"OOB": 0x1, "PEEK": 0x2, "WAITALL": 0x40, "DONTWAIT": 0x80, "NOSIGNAL": 0x200},
    poll={
        "IN": 0x1,
        "PRI": 0x2,
        "OUT": 0x4,
        "ERR": 0x8,
        "HUP": 0x10,
        "NVAL": 0x20,
        "RDHUP": 0x4000,
    },
    source="illumos-gate sys/socket_impl.h, sys/socket.h, netinet/in.h, sys/select.h, sys/poll.h",
)
