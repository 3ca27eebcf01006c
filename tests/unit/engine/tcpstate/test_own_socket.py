"""A socket's own TCP state, read with its OS's call (TCP_INFO, TCP_CONNECTION_INFO, ...)."""

from __future__ import annotations

import socket
import sys

import pytest

from matrix.engine.tcpstate.own_socket import StateUnsupported, read_own_state

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")


@linux_only
def test_live_states_of_a_listener_a_pair_and_a_half_close() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        assert read_own_state("linux", listener.getsockopt, listener.fileno())["state"] == "LISTEN"
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        with client, server:
            assert read_own_state("linux", client.getsockopt, client.fileno()) == {
                "state": "ESTABLISHED",
                "raw": 1,
                "mechanism": "getsockopt TCP_INFO",
            }
            client.shutdown(socket.SHUT_WR)
            assert server.recv(10) == b""  # the FIN has arrived
            assert (
                read_own_state("linux", server.getsockopt, server.fileno())["state"] == "CLOSE_WAIT"
            )
            assert read_own_state("linux", client.getsockopt, client.fileno())["state"] in (
                "FIN_WAIT_1",
                "FIN_WAIT_2",
            )


def test_a_kernel_that_does_not_know_the_option_reads_unsupported_other_errors_are_answers() -> (
    None
):
    import errno

    def unknown(level: int, optname: int, size: int) -> bytes:
        raise OSError(errno.ENOPROTOOPT, "Protocol not available")

    def bad(level: int, optname: int, size: int) -> bytes:
        raise OSError(errno.EBADF, "Bad file descriptor")

    with pytest.raises(StateUnsupported, match="TCP_CONNECTION_INFO is not available"):
        read_own_state("macos", unknown, 3)
    with pytest.raises(OSError) as raised:
        read_own_state("linux", bad, 3)
    assert raised.value.errno == errno.EBADF
    asked: list[tuple[int, int, int]] = []

    def fake(level: int, optname: int, size: int) -> bytes:
        asked.append((level, optname, size))
        return bytes([9]) + b"\0" * 7

    assert read_own_state("freebsd13", fake, 3)["state"] == "FIN_WAIT_2"
    assert asked == [(6, 32, 1024)]


@pytest.mark.skipif(sys.platform == "win32", reason="checks the path without Winsock")
def test_windows_call_needs_winsock_and_says_so_elsewhere() -> None:
    with pytest.raises(StateUnsupported, match="Winsock"):
        read_own_state("windows", lambda *_: b"", 3)
