"""The Linux socket ABI (glibc and musl share it: both follow the kernel's uapi).

Sources, each value below copied from them:
- include/uapi/linux/socket.h, include/linux/socket.h: AF_INET 2, AF_INET6 10;
  MSG_OOB 1, MSG_PEEK 2, MSG_DONTWAIT 0x40, MSG_WAITALL 0x100, MSG_NOSIGNAL 0x4000.
- include/uapi/linux/in.h, in6.h: sockaddr_in {u16 family; be16 port; addr; zero[8]},
  sockaddr_in6 is 28 bytes; no length byte.
- include/uapi/asm-generic/poll.h: POLLIN 1, POLLPRI 2, POLLOUT 4, POLLERR 8,
  POLLHUP 0x10, POLLNVAL 0x20, POLLRDHUP 0x2000; nfds_t is unsigned long (glibc
  <sys/poll.h>, musl <poll.h>).
- include/uapi/linux/posix_types.h: __FD_SETSIZE 1024 in an array of long.
- include/uapi/asm-generic/errno-base.h: EAGAIN 11 (EWOULDBLOCK is the same).
"""

from __future__ import annotations

from matrix.engine.abi.layout import Abi

LINUX = Abi(
    name="linux",
    library="process",
    error_source="errno",
    close_function="close",
    poll_function="poll",
    handle_format="i",
    invalid_handle=-1,
    af_inet=2,
    af_inet6=10,
    sin_len=False,
    sockaddr_in6_size=28,
    fd_set_kind="bits",
    fd_setsize=1024,
    fd_word_format="Q",
    timeval_format="=qq",  # {time_t tv_sec; suseconds_t tv_usec;}, both long
    nfds_format="Q",
    would_block=frozenset({11}),  # EAGAIN == EWOULDBLOCK (Linux)
    # close(2): "the file descriptor is guaranteed to be closed" even on error.
    close_keeps_handle=frozenset(),
    msg={"OOB": 0x1, "PEEK": 0x2, "DONTWAIT": 0x40, "WAITALL": 0x100, "NOSIGNAL": 0x4000},
    poll={
        "IN": 0x1,
        "PRI": 0x2,
        "OUT": 0x4,
        "ERR": 0x8,
        "HUP": 0x10,
        "NVAL": 0x20,
        "RDHUP": 0x2000,
    },
    source="Linux uapi headers (socket.h, in.h, in6.h, asm-generic/poll.h, posix_types.h)",
)
