"""The Winsock 2 ABI (ws2_32.dll) on 64-bit Windows.

Sources (Windows SDK headers as documented on Microsoft Learn):
- winsock2.h: ``typedef UINT_PTR SOCKET``; INVALID_SOCKET ``(SOCKET)(~0)``;
  ``typedef struct fd_set { u_int fd_count; SOCKET fd_array[FD_SETSIZE]; }``
  with FD_SETSIZE 64 ("select function": "the fd_set structure ... an array of
  sockets"); ``struct timeval { long tv_sec; long tv_usec; }`` (long is 32-bit);
  ``struct linger { u_short l_onoff; u_short l_linger; }``.
- ws2def.h: AF_INET 2, AF_INET6 23; MSG_OOB 1, MSG_PEEK 2, MSG_WAITALL 8; there
  is no MSG_DONTWAIT and no MSG_NOSIGNAL (Windows has no SIGPIPE).
- winsock2.h WSAPOLLFD {SOCKET fd; SHORT events; SHORT revents;}; POLLRDNORM
  0x100, POLLRDBAND 0x200, POLLIN = RDNORM|RDBAND, POLLPRI 0x400, POLLWRNORM
  0x10 (= POLLOUT), POLLERR 1, POLLHUP 2, POLLNVAL 4; WSAPoll's nfds is a ULONG.
- closesocket (Microsoft Learn, Return value): WSAEWOULDBLOCK "The socket is
  marked as nonblocking, but the l_onoff member of the linger structure is set
  to nonzero and the l_linger member ... to a nonzero timeout value"; and its
  Remarks: "If closesocket fails with WSAEWOULDBLOCK the socket handle is still
  valid, and a disconnect is not initiated. The application must call
  closesocket again to close the socket."
- WSAPoll (Microsoft Learn, Remarks): "If the POLLPRI flag is set on a socket
  for the Microsoft Winsock provider, the WSAPoll function will fail."; the
  WSAPOLLFD page: POLLPRI "is not supported by the Microsoft Winsock provider".
  POLLPRI (0x400 in winsock2.h) is therefore listed as absent: a probe asking
  for it is recorded as unsupported rather than as WSAPoll's WSAEINVAL.
- Errors come from WSAGetLastError, which reads the thread's last-error value:
  ctypes' use_last_error snapshot of GetLastError right after the call.
"""

from __future__ import annotations

from matrix.engine.abi.layout import Abi

WSAEWOULDBLOCK = 10035

WINSOCK = Abi(
    name="winsock",
    library="ws2_32",
    error_source="last_error",
    close_function="closesocket",
    poll_function="WSAPoll",
    handle_format="Q",
    invalid_handle=2**64 - 1,
    af_inet=2,
    af_inet6=23,
    sin_len=False,
    sockaddr_in6_size=28,
    fd_set_kind="array",
    fd_setsize=64,
    fd_word_format="Q",
    timeval_format="=ii",
    nfds_format="I",
    would_block=frozenset({WSAEWOULDBLOCK}),
    close_keeps_handle=frozenset({WSAEWOULDBLOCK}),
    msg={"OOB": 0x1, "PEEK": 0x2, "WAITALL": 0x8, "DONTWAIT": None, "NOSIGNAL": None},
    poll={
        "IN": 0x300,
        "PRI": None,  # 0x400 in winsock2.h, but WSAPoll fails on it (see above)
        "OUT": 0x10,
        "ERR": 0x1,
        "HUP": 0x2,
        "NVAL": 0x4,
        "RDHUP": None,
    },
    source="winsock2.h, ws2def.h (Microsoft Learn: select, fd_set, WSAPoll, closesocket)",
)

# ioctlsocket(FIONBIO): _IOW('f', 126, u_long), passed as a (signed) long cmd.
FIONBIO = 0x8004667E - 2**32
