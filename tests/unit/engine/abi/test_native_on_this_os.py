"""The native layer's C layouts against the OS the tests run on: real calls, compared
with what CPython's socket module (built against this OS's headers) reports.

The fake-library tests check the bytes each ABI table packs; these check that
the running OS reads them the same way: sockaddr (sin_len on the BSDs), fd_set
words, pollfd and its event bits, struct timeval and struct linger. They run on
Linux here and on macOS in the macOS test job, where they are the only check
of the Darwin table against a real kernel before a probe leg runs.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator

import pytest

from matrix.engine.abi import layout as _abi
from matrix.engine.abi.native_api import NativeSocket, native_api
from matrix.engine.abi.option_encodings import (
    decode_duration,
    decode_linger,
    encode_duration,
    encode_linger,
    linger_size,
)
from matrix.language.os_families import os_family

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="POSIX layouts; the Windows job runs the probes for real"
)
FAMILY = os_family(sys.platform)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname()[:2])
        accepted, _ = server.accept()
    with client, accepted:
        yield client, accepted


def _native(sock: socket.socket) -> NativeSocket:
    family = "ipv6" if sock.family == socket.AF_INET6 else "ipv4"
    return NativeSocket(sock.fileno(), family, "stream")


def test_getsockname_reads_the_sockaddr_this_os_writes(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, accepted = pair
    api = native_api()
    assert api.getsockname(_native(client)) == client.getsockname()[:2]
    assert api.getpeername(_native(accepted)) == client.getsockname()[:2]


def test_getsockname_of_an_ipv6_socket(pair: tuple[socket.socket, socket.socket]) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        sock.bind(("::1", 0))
    except OSError:
        pytest.skip("cannot bind ::1 here")
    with sock:
        assert native_api().getsockname(_native(sock)) == sock.getsockname()[:2]


def test_select_sees_a_readable_socket_in_this_os_fd_set(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, accepted = pair
    accepted.sendall(b"x")
    ready, groups = native_api().select([[client.fileno(), accepted.fileno()], [], []], 2.0)
    assert ready == 1
    assert groups == [[client.fileno()], [], []]


def test_poll_reports_this_os_event_bits(pair: tuple[socket.socket, socket.socket]) -> None:
    client, accepted = pair
    accepted.sendall(b"x")
    api = native_api()
    events = _abi.poll_events(api.abi, ["IN", "OUT"])
    assert events is not None
    revents = api.poll([client.fileno()], events, 2000)
    assert set(_abi.poll_flag_names(api.abi, revents[0])) == {"IN", "OUT"}


def test_a_receive_timeout_round_trips_through_this_os_timeval(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, _ = pair
    api = native_api()
    level, optname = socket.SOL_SOCKET, socket.SO_RCVTIMEO
    api.setsockopt(_native(client), level, optname, encode_duration(1.25, FAMILY))
    read = api.getsockopt(_native(client), level, optname, 16)
    # The kernel keeps the time in its clock ticks (Linux: jiffies, 4 ms at HZ=250).
    assert decode_duration(read, FAMILY) == pytest.approx(1.25, abs=0.011)


def test_a_linger_time_round_trips_through_this_os_struct_linger(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    client, _ = pair
    api = native_api()
    level, optname, value = encode_linger(True, 3, FAMILY)
    api.setsockopt(_native(client), level, optname, value)
    read = api.getsockopt(_native(client), level, optname, linger_size(FAMILY))
    assert decode_linger(read, FAMILY) == {"on": True, "seconds": 3}
