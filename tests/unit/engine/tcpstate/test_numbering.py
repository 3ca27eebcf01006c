"""TCP state numbering and layouts per OS, checked with each OS's own bytes."""

from __future__ import annotations

import socket
import struct
import sys

import pytest

from matrix.engine.tcpstate.numbering import (
    BSD_STATES,
    LINUX_STATES,
    OWN_STATE_LAYOUTS,
    PSUTIL_STATES,
    SIO_TCP_INFO,
    WINDOWS_STATES,
    WINDOWS_TCP_INFO_V0,
    decode_state,
    layout_family,
    own_state_layout,
    psutil_state,
)
from matrix.engine.tcpstate.own_socket import StateUnsupported, read_own_state
from matrix.language.arguments import RFC793_STATES

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")


@pytest.mark.parametrize("table", [LINUX_STATES, BSD_STATES, WINDOWS_STATES, PSUTIL_STATES])
def test_every_table_speaks_only_rfc793_names_and_covers_all_of_them(table: dict) -> None:
    assert set(table.values()) <= set(RFC793_STATES)
    assert set(table.values()) == set(RFC793_STATES)


def test_linux_numbers_follow_tcp_states_h() -> None:
    layout = OWN_STATE_LAYOUTS["linux"]
    assert (layout.level, layout.optname) == (6, 11)  # IPPROTO_TCP, TCP_INFO
    # struct tcp_info's first byte is tcpi_state; the rest does not matter.
    assert decode_state(bytes([6]) + b"\xff" * 103, layout) == ("TIME_WAIT", 6)
    assert decode_state(bytes([8]), layout) == ("CLOSE_WAIT", 8)
    assert decode_state(bytes([10]), layout) == ("LISTEN", 10)
    assert decode_state(bytes([5]), layout) == ("FIN_WAIT_2", 5)


def test_freebsd_and_macos_use_tcp_fsm_h_numbers_at_offset_zero() -> None:
    freebsd = own_state_layout("freebsd14")
    macos = own_state_layout("macos")
    assert freebsd is not None and macos is not None
    assert freebsd.optname == 32  # TCP_INFO in FreeBSD netinet/tcp.h
    assert macos.optname == 0x106  # TCP_CONNECTION_INFO in XNU netinet/tcp.h
    # A FreeBSD tcp_info / XNU tcp_connection_info: u_int8_t state, then more.
    assert decode_state(bytes([9, 7, 7, 0]) + b"\0" * 236, freebsd)[0] == "FIN_WAIT_2"
    assert decode_state(bytes([5, 6, 6, 0, 1, 0, 0, 0]), macos)[0] == "CLOSE_WAIT"
    # The same number means different states on Linux and the BSDs.
    assert (
        decode_state(bytes([5]), macos)[0]
        != decode_state(bytes([5]), OWN_STATE_LAYOUTS["linux"])[0]
    )


def test_windows_tcp_info_v0_layout_and_state_enum() -> None:
    layout = OWN_STATE_LAYOUTS["windows"]
    assert layout.optname == SIO_TCP_INFO == 0xD8000027
    assert layout.size == struct.calcsize(WINDOWS_TCP_INFO_V0) == 88
    info = struct.pack(WINDOWS_TCP_INFO_V0, 7, 65495, 12, True, *range(7), 10, 20, *range(5), 0)
    assert decode_state(info, layout) == ("CLOSE_WAIT", 7)
    info = struct.pack(WINDOWS_TCP_INFO_V0, 10, 0, 0, False, *[0] * 7, 0, 0, *[0] * 5, 0)
    assert decode_state(info, layout) == ("TIME_WAIT", 10)


def test_unknown_numbers_are_named_not_guessed_and_short_answers_refused() -> None:
    assert decode_state(bytes([99]), OWN_STATE_LAYOUTS["linux"]) == ("UNKNOWN(99)", 99)
    with pytest.raises(ValueError, match="fewer than 4"):
        decode_state(b"\x01", OWN_STATE_LAYOUTS["windows"])
    assert psutil_state("SYN_RECV") == "SYN_RECEIVED"
    assert psutil_state("NEW") == "UNKNOWN(NEW)"


def test_oses_without_a_call_have_no_layout_and_read_as_unsupported() -> None:
    assert layout_family("freebsd13") == "freebsd"
    assert own_state_layout("openbsd7") is None
    with socket.socket() as sock, pytest.raises(StateUnsupported, match="openbsd7"):
        read_own_state("openbsd7", sock.getsockopt, sock.fileno())


@linux_only
def test_linux_layout_matches_this_interpreter() -> None:
    layout = OWN_STATE_LAYOUTS["linux"]
    assert (layout.level, layout.optname) == (socket.IPPROTO_TCP, socket.TCP_INFO)
