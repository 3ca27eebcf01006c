"""Struct layouts and constants of every C ABI, checked with each OS's own numbers."""

from __future__ import annotations

import struct

import pytest

from matrix.engine.abi import layout as _abi
from matrix.engine.abi.bsd import DARWIN, FREEBSD, NETBSD, OPENBSD
from matrix.engine.abi.illumos import ILLUMOS
from matrix.engine.abi.layout import Abi
from matrix.engine.abi.linux import LINUX
from matrix.engine.abi.winsock import WINSOCK

ALL = [LINUX, DARWIN, FREEBSD, OPENBSD, NETBSD, ILLUMOS, WINSOCK]
BSDS = [DARWIN, FREEBSD, OPENBSD, NETBSD]


@pytest.mark.parametrize("abi", [LINUX, ILLUMOS, WINSOCK], ids=lambda a: a.name)
def test_sockaddr_in_has_a_16_bit_family_and_no_length_byte(abi: Abi) -> None:
    packed = _abi.sockaddr(abi, "127.0.0.1", 0x1234)
    assert len(packed) == 16
    assert struct.unpack_from("=H", packed)[0] == 2
    assert packed[2:4] == b"\x12\x34"  # network byte order
    assert packed[4:8] == bytes([127, 0, 0, 1])
    assert packed[8:] == bytes(8)


@pytest.mark.parametrize("abi", BSDS, ids=lambda a: a.name)
def test_bsd_sockaddr_in_starts_with_sin_len_and_an_8_bit_family(abi: Abi) -> None:
    packed = _abi.sockaddr(abi, "127.0.0.1", 80)
    assert packed[0] == 16  # sin_len
    assert packed[1] == 2  # AF_INET, one byte
    assert packed[2:4] == b"\x00\x50"


@pytest.mark.parametrize(
    ("abi", "family", "size", "has_len"),
    [
        (LINUX, 10, 28, False),
        (DARWIN, 30, 28, True),
        (FREEBSD, 28, 28, True),
        (OPENBSD, 24, 28, True),
        (NETBSD, 24, 28, True),
        (ILLUMOS, 26, 32, False),  # __sin6_src_id makes it 32 bytes
        (WINSOCK, 23, 28, False),
    ],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_sockaddr_in6_family_and_size_per_os(
    abi: Abi, family: int, size: int, has_len: bool
) -> None:
    packed = _abi.sockaddr(abi, "::1", 443)
    assert len(packed) == size
    if has_len:
        assert (packed[0], packed[1]) == (size, family)
    else:
        assert struct.unpack_from("=H", packed)[0] == family
    assert packed[8:24] == bytes(15) + b"\x01"
    assert _abi.parse_sockaddr(abi, packed) == ("::1", 443)


@pytest.mark.parametrize("abi", ALL, ids=lambda a: a.name)
def test_sockaddr_round_trips(abi: Abi) -> None:
    assert _abi.parse_sockaddr(abi, _abi.sockaddr(abi, "127.0.0.1", 5)) == ("127.0.0.1", 5)


def test_linux_fd_set_is_1024_bits_in_longs() -> None:
    packed = _abi.pack_fd_set(LINUX, [0, 65, 1023])
    assert len(packed) == 128
    words = struct.unpack("=16Q", packed)
    assert words[0] == 1 and words[1] == 2 and words[15] == 1 << 63
    assert _abi.unpack_fd_set(LINUX, packed, [0, 1, 65, 1023]) == [0, 65, 1023]


def test_darwin_fd_set_uses_32_bit_words() -> None:
    packed = _abi.pack_fd_set(DARWIN, [33])
    assert len(packed) == 128
    assert struct.unpack("=32I", packed)[1] == 2


def test_netbsd_fd_set_holds_256_descriptors() -> None:
    assert _abi.fd_set_size(NETBSD) == 32
    with pytest.raises(ValueError, match="does not fit"):
        _abi.pack_fd_set(NETBSD, [256])


def test_illumos_64_bit_fd_set_holds_65536_descriptors() -> None:
    assert _abi.fd_set_size(ILLUMOS) == 8192


def test_winsock_fd_set_is_a_count_and_an_array_of_sockets() -> None:
    packed = _abi.pack_fd_set(WINSOCK, [0x1F4, 0x2A8])
    assert len(packed) == 8 + 64 * 8  # u_int fd_count, padding, SOCKET fd_array[64]
    count = struct.unpack_from("=I", packed)[0]
    assert count == 2
    assert struct.unpack_from("=2Q", packed, 8) == (0x1F4, 0x2A8)
    # select() leaves only the ready ones: rebuild as the OS would.
    returned = struct.pack("=I4x64Q", 1, 0x2A8, *([0] * 63))
    assert _abi.unpack_fd_set(WINSOCK, returned, [0x1F4, 0x2A8]) == [0x2A8]


def test_winsock_fd_set_refuses_more_than_64_sockets() -> None:
    with pytest.raises(ValueError, match="FD_SETSIZE"):
        _abi.pack_fd_set(WINSOCK, range(1, 66))


@pytest.mark.parametrize(
    ("abi", "size"),
    [(LINUX, 16), (DARWIN, 16), (NETBSD, 16), (FREEBSD, 16), (WINSOCK, 8)],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_timeval_sizes(abi: Abi, size: int) -> None:
    packed = _abi.pack_timeval(abi, 1.25)
    assert len(packed) == size
    fields = struct.unpack(abi.timeval_format, packed)
    assert fields == (1, 250000)


def test_pollfd_is_8_bytes_with_an_int_fd_and_16_with_a_socket() -> None:
    assert len(_abi.pack_pollfds(LINUX, [3, 4], 1)) == 16
    assert len(_abi.pack_pollfds(WINSOCK, [3, 4], 0x300)) == 32
    raw = struct.pack("=Qhh4x", 0x1F4, 0x300, 0x302)
    assert _abi.unpack_revents(WINSOCK, raw, 1) == [0x302]
    assert _abi.poll_flag_names(WINSOCK, 0x302) == ["IN", "HUP"]


def test_wsapoll_in_is_rdnorm_or_rdband() -> None:
    assert _abi.poll_events(WINSOCK, ["IN", "OUT"]) == 0x310


def test_pollrdhup_exists_on_linux_freebsd_and_illumos_only() -> None:
    have = {abi.name for abi in ALL if _abi.poll_events(abi, ["RDHUP"]) is not None}
    assert have == {"linux", "freebsd", "illumos"}


@pytest.mark.parametrize(
    ("abi", "waitall", "dontwait", "nosignal"),
    [
        (LINUX, 0x100, 0x40, 0x4000),
        (DARWIN, 0x40, 0x80, 0x80000),
        (FREEBSD, 0x40, 0x80, 0x20000),
        (OPENBSD, 0x40, 0x80, 0x400),
        (NETBSD, 0x40, 0x80, 0x400),
        (ILLUMOS, 0x40, 0x80, 0x200),
        (WINSOCK, 0x8, None, None),
    ],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_msg_flags_per_os(
    abi: Abi, waitall: int, dontwait: int | None, nosignal: int | None
) -> None:
    assert abi.msg["OOB"] == 1 and abi.msg["PEEK"] == 2
    assert (abi.msg["WAITALL"], abi.msg["DONTWAIT"], abi.msg["NOSIGNAL"]) == (
        waitall,
        dontwait,
        nosignal,
    )


def test_only_winsock_keeps_the_handle_after_a_failed_close() -> None:
    assert WINSOCK.close_keeps_handle == {10035}  # WSAEWOULDBLOCK
    assert all(not abi.close_keeps_handle for abi in ALL if abi is not WINSOCK)


@pytest.mark.parametrize("abi", ALL, ids=lambda a: a.name)
@pytest.mark.parametrize(
    ("seconds", "fields"),
    [(0.9999996, (1, 0)), (2.9999999, (3, 0)), (0.0000004, (0, 0)), (1.0000015, (1, 2))],
)
def test_timeval_carries_a_rounded_up_fraction_into_tv_sec(
    abi: Abi, seconds: float, fields: tuple[int, int]
) -> None:
    # XNU itimerfix (select) refuses "tv->tv_usec >= 1000000" with EINVAL.
    packed = _abi.pack_timeval(abi, seconds)
    assert struct.unpack(abi.timeval_format, packed) == fields
