"""A socket's own TCP state, read with its OS's call (TCP_INFO, TCP_CONNECTION_INFO, ...):
whether the call exists is decided once on the process's own socket; later errors are answers."""

from __future__ import annotations

import errno
import socket
import sys
from typing import Any

import pytest

from matrix.engine.tcpstate import own_socket
from matrix.engine.tcpstate.numbering import OWN_STATE_LAYOUTS, refusal_meaning
from matrix.engine.tcpstate.own_socket import StateUnsupported, prepare, read_own_state

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")


@pytest.fixture(autouse=True)
def fresh_support(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(own_socket, "_support", {})


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


def test_a_call_that_fails_on_the_own_socket_makes_every_read_unsupported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unknown(*_args: Any) -> bytes:
        raise OSError(errno.ENOPROTOOPT, "Protocol not available")

    monkeypatch.setattr(own_socket, "_raw", unknown)
    assert "did not answer on this process's own connected socket" in (prepare("macos") or "")
    with pytest.raises(StateUnsupported, match="TCP_CONNECTION_INFO did not answer"):
        read_own_state("macos", unknown, 3)
    with pytest.raises(StateUnsupported, match="no call reports a socket's TCP state on plan9"):
        read_own_state("plan9", unknown, 3)


def test_once_the_call_is_known_to_work_its_errors_are_the_os_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class WindowsError(OSError):  # what OSError(None, text, None, 10022) is on Windows
        winerror = 10022

    answers: list[Any] = [bytes([4]) + b"\0" * 87]  # the own socket: ESTABLISHED
    answers.append(WindowsError(None, "WSAIoctl(SIO_TCP_INFO) failed with 10022"))

    def wsaioctl(*_args: Any) -> bytes:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return bytes(answer)

    monkeypatch.setattr(own_socket, "_raw", wsaioctl)
    monkeypatch.setattr(own_socket, "_windows_build", lambda: 19045)
    assert prepare("windows") is None
    # WSAEINVAL on a reset connection: "not applicable to this socket", not "unknown code".
    with pytest.raises(OSError) as raised:
        read_own_state("windows", wsaioctl, 3)
    assert getattr(raised.value, "winerror", None) == 10022


def test_a_windows_build_before_1703_has_no_sio_tcp_info(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(own_socket, "_windows_build", lambda: 14393)
    monkeypatch.setattr(own_socket, "_raw", lambda *_a: pytest.fail("no call on an old build"))
    with pytest.raises(
        StateUnsupported, match=r"needs Windows 10 1703 \(build 15063\); this is build 14393"
    ):
        read_own_state("windows", lambda *_a: b"", 3)


@pytest.mark.parametrize(("release", "state"), [(14, "CLOSED"), (15, "CLOSED"), (13, None)])
def test_freebsd_econnreset_means_closed_only_where_time_wait_no_longer_shares_it(
    monkeypatch: pytest.MonkeyPatch, release: int, state: str | None
) -> None:
    # tcp_ctloutput_get(): ECONNRESET for INP_DROPPED; before 14 also for INP_TIMEWAIT.
    layout = OWN_STATE_LAYOUTS["freebsd"]
    meaning = refusal_meaning(layout, 54, release)
    assert (meaning.state if meaning else None) == state
    reads: list[Any] = [bytes([4]), OSError(54, "Connection reset by peer")]

    def tcp_info(*_args: Any) -> bytes:
        answer = reads.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return bytes(answer)

    monkeypatch.setattr(own_socket, "_raw", tcp_info)
    monkeypatch.setattr(own_socket, "_major_release", lambda: release)
    if state is None:
        with pytest.raises(OSError):
            read_own_state("freebsd", tcp_info, 3)
        return
    result = read_own_state("freebsd", tcp_info, 3)
    assert (result["state"], result["raw"], result["refused"]) == ("CLOSED", None, 54)
    assert "INP_DROPPED" in result["meaning"]


def test_the_freebsd_layout_asks_tcp_info_with_room_to_spare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[int, int, int]] = []

    def fake(level: int, optname: int, size: int) -> bytes:
        asked.append((level, optname, size))
        return bytes([9]) + b"\0" * 7

    monkeypatch.setattr(own_socket, "_support", {"freebsd": None})
    assert read_own_state("freebsd", fake, 3)["state"] == "FIN_WAIT_2"
    assert asked == [(6, 32, 1024)]


@pytest.mark.skipif(sys.platform == "win32", reason="checks the path without Winsock")
def test_windows_call_needs_winsock_and_says_so_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(own_socket, "_windows_build", lambda: 19045)
    with pytest.raises(StateUnsupported, match="Winsock"):
        read_own_state("windows", lambda *_: b"", 3)
