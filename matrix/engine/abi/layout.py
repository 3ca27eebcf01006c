"""What one C ABI looks like to a socket program, as data, and the packing it implies.

Rules of this module:
- An :class:`Abi` holds numbers and layouts only (constants, struct formats,
  which library and error source). The per-OS values live in ``_abi_linux``,
  ``_abi_bsd`` and ``_abi_winsock``, each copied from that OS's headers and
  citing them; nothing here asks the running interpreter which OS it is on, so
  every ABI is unit-tested on any machine.
- Struct formats are written for 64-bit targets (LP64 on POSIX, LLP64 on
  Windows), with explicit sizes and ``=`` (native byte order, no implicit
  padding): the native layer refuses to run on a 32-bit interpreter rather
  than pack a wrong layout.
- The functions below turn a probe's intent (an address, a set of sockets)
  into exactly the bytes that ABI's C functions take, and back.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Iterable, Mapping
from typing import NamedTuple

POLL_NAMES = ("IN", "PRI", "OUT", "ERR", "HUP", "NVAL", "RDHUP")


class Abi(NamedTuple):
    """The parts of one OS's socket ABI the native layer depends on.

    A NamedTuple, not a dataclass: it is built in every probe's child process,
    where a dataclass's generated methods cost milliseconds of start-up.
    """

    name: str
    # Where the functions are: "process" (dlopen(NULL): libc and anything the
    # socket module loaded, e.g. illumos' libsocket) or "ws2_32".
    library: str
    # How the error of a call is read: "errno" (use_errno + get_errno) or
    # "last_error" (use_last_error + get_last_error, i.e. WSAGetLastError).
    error_source: str
    close_function: str  # "close" or "closesocket"
    poll_function: str  # "poll" or "WSAPoll"
    # The descriptor type: "i" (int fd) or "Q" (Winsock SOCKET, a UINT_PTR).
    handle_format: str
    invalid_handle: int  # -1, or INVALID_SOCKET (~0) on Windows
    af_inet: int
    af_inet6: int
    # BSD-derived sockaddrs start with a uint8 length and a uint8 family;
    # Linux, illumos and Winsock have a 16-bit family and no length byte.
    sin_len: bool
    sockaddr_in6_size: int  # 28, but 32 on illumos (__sin6_src_id)
    # fd_set: "bits" (an array of FD_SETSIZE bits in words of fd_word_format)
    # or "array" (Winsock: u_int fd_count; SOCKET fd_array[FD_SETSIZE]).
    fd_set_kind: str
    fd_setsize: int
    fd_word_format: str  # "Q" (long), "I" (int32); unused for "array"
    timeval_format: str  # struct timeval {tv_sec; tv_usec}, with padding
    nfds_format: str  # poll's nfds_t: "Q" (unsigned long) or "I"
    # Error numbers the native layer must recognise, by this ABI's numbering.
    would_block: frozenset[int]
    # Errors after which close() has NOT released the descriptor, so it stays
    # the probe's to close again (closesocket's WSAEWOULDBLOCK).
    close_keeps_handle: frozenset[int]
    # send/recv flags; None where the OS has no such flag.
    msg: Mapping[str, int | None]
    poll: Mapping[str, int | None]
    source: str


# -- sockaddr --------------------------------------------------------------
def sockaddr(abi: Abi, host: str, port: int) -> bytes:
    """``struct sockaddr_in`` or ``sockaddr_in6`` for ``host``:``port`` in ``abi``."""
    address = ipaddress.ip_address(host)
    if address.version == 4:
        size, family, tail = 16, abi.af_inet, address.packed + bytes(8)
    else:
        # sin6_flowinfo (0), sin6_addr, sin6_scope_id (0), then any ABI extra.
        size, family = abi.sockaddr_in6_size, abi.af_inet6
        tail = bytes(4) + address.packed + bytes(4)
    head = struct.pack("=BB", size, family) if abi.sin_len else struct.pack("=H", family)
    packed = head + struct.pack("!H", port) + tail
    return packed.ljust(size, b"\0")


def parse_sockaddr(abi: Abi, data: bytes) -> tuple[str, int]:
    """(host, port) from a sockaddr the OS filled in."""
    family = data[1] if abi.sin_len else struct.unpack_from("=H", data)[0]
    (port,) = struct.unpack_from("!H", data, 2)
    if family == abi.af_inet:
        return str(ipaddress.IPv4Address(data[4:8])), port
    if family == abi.af_inet6:
        return str(ipaddress.IPv6Address(data[8:24])), port
    raise ValueError(f"unexpected address family {family} in {abi.name} sockaddr")


# -- select's fd_set -------------------------------------------------------
def fd_set_size(abi: Abi) -> int:
    if abi.fd_set_kind == "array":
        return struct.calcsize(f"=I4x{abi.fd_setsize}{abi.handle_format}")
    return abi.fd_setsize // 8


def pack_fd_set(abi: Abi, handles: Iterable[int]) -> bytes:
    """An fd_set holding ``handles``, as FD_SET would build it."""
    wanted = list(dict.fromkeys(handles))
    if abi.fd_set_kind == "array":
        if len(wanted) > abi.fd_setsize:
            raise ValueError(f"more than FD_SETSIZE ({abi.fd_setsize}) sockets")
        slots = wanted + [0] * (abi.fd_setsize - len(wanted))
        return struct.pack(f"=I4x{abi.fd_setsize}{abi.handle_format}", len(wanted), *slots)
    bits = struct.calcsize(abi.fd_word_format) * 8
    words = [0] * (abi.fd_setsize // bits)
    for handle in wanted:
        if not 0 <= handle < abi.fd_setsize:
            raise ValueError(f"descriptor {handle} does not fit in an fd_set")
        words[handle // bits] |= 1 << (handle % bits)
    return struct.pack(f"={len(words)}{abi.fd_word_format}", *words)


def unpack_fd_set(abi: Abi, data: bytes, asked: Iterable[int]) -> list[int]:
    """Which of ``asked`` are still in the fd_set select() returned (FD_ISSET)."""
    if abi.fd_set_kind == "array":
        (count,) = struct.unpack_from("=I", data)
        present = set(
            struct.unpack_from(f"={count}{abi.handle_format}", data, struct.calcsize("=I4x"))
        )
        return [h for h in asked if h in present]
    bits = struct.calcsize(abi.fd_word_format) * 8
    words = struct.unpack(f"={abi.fd_setsize // bits}{abi.fd_word_format}", data)
    return [h for h in asked if 0 <= h < abi.fd_setsize and words[h // bits] >> (h % bits) & 1]


def timeval_parts(seconds: float, per_second: int = 1_000_000) -> tuple[int, int]:
    """(whole seconds, fraction in 1/per_second units), the fraction always below per_second.

    Rounding the fraction alone turns 0.9999996 s into {0, 1000000}, which
    kernels refuse: XNU's itimerfix() (bsd/kern/kern_time.c, used by select())
    returns EINVAL for "tv->tv_usec >= 1000000", its sooptcopyin_timeval()
    (bsd/kern/uipc_socket.c, SO_RCVTIMEO/SO_SNDTIMEO) EDOM, as does Linux's
    sock_set_timeout() (net/core/sock.c: "tv.tv_usec >= USEC_PER_SEC" ->
    -EDOM). Rounding the whole
    duration and carrying gives the {1, 0} a C program would write.
    """
    whole, fraction = divmod(round(seconds * per_second), per_second)
    return whole, fraction


def pack_timeval(abi: Abi, seconds: float) -> bytes:
    return struct.pack(abi.timeval_format, *timeval_parts(seconds))


# -- poll's pollfd ---------------------------------------------------------
def pollfd_format(abi: Abi) -> str:
    # {fd; short events; short revents;}: 8 bytes with an int fd, 16 with a
    # SOCKET (WSAPOLLFD) because the struct is aligned to its 8-byte member.
    return "=" + abi.handle_format + "hh" + ("4x" if abi.handle_format == "Q" else "")


def pack_pollfds(abi: Abi, handles: list[int], events: int) -> bytes:
    fmt = pollfd_format(abi)
    return b"".join(struct.pack(fmt, h, events, 0) for h in handles)


def unpack_revents(abi: Abi, data: bytes, count: int) -> list[int]:
    fmt = pollfd_format(abi)
    size = struct.calcsize(fmt)
    return [struct.unpack_from(fmt, data, i * size)[2] & 0xFFFF for i in range(count)]


def poll_events(abi: Abi, names: Iterable[str]) -> int | None:
    """The events mask for ``names``, or None if one does not exist in ``abi``."""
    mask = 0
    for name in names:
        value = abi.poll.get(name)
        if value is None:
            return None
        mask |= value
    return mask


def poll_flag_names(abi: Abi, revents: int) -> list[str]:
    return [name for name in POLL_NAMES if (value := abi.poll.get(name)) and revents & value]
