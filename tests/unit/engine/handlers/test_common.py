"""What both APIs' handlers share: the words for where a connect or a listen ended up."""

from __future__ import annotations

from typing import Any

import pytest

from matrix.engine.context import Context
from matrix.engine.handlers import endpoints


@pytest.mark.parametrize(
    ("target", "peer", "summary", "reached"),
    [
        ("0.0.0.0", ("127.0.0.1", 4242), "ok, reached 127.0.0.1", "127.0.0.1"),
        # XNU picks the first address of in_ifaddrhead: on a host whose first
        # interface is not lo0 that is this host's own, perhaps public, address.
        ("0.0.0.0", ("192.0.2.7", 4242), "ok, reached a non-loopback address of this host",
         "non-loopback"),
        ("::", ("::1", 4242, 0, 0), "ok, reached ::1", "::1"),
        ("::", ("::ffff:127.0.0.1", 4242, 0, 0), "ok, reached 127.0.0.1", "127.0.0.1"),
    ],
)  # fmt: skip
def test_a_connect_to_the_unspecified_address_says_where_it_went(
    target: str, peer: tuple[Any, ...], summary: str, reached: str
) -> None:
    step: Any = {"op": "connect", "socket": "c", "to": "srv", "address": target}
    assert endpoints.connected(step, lambda: peer) == (summary, {"reached": reached})


def test_a_connect_whose_peer_cannot_be_read_back_still_returned() -> None:
    def gone() -> tuple[Any, ...]:
        raise OSError(107, "Transport endpoint is not connected")

    step: Any = {"op": "connect", "socket": "c", "to": "srv", "address": "0.0.0.0"}
    assert endpoints.connected(step, gone) == (
        "ok, to an address it could not read back",
        {"reached": "unknown"},
    )


@pytest.mark.parametrize("address", [None, "127.0.0.1", "::1"])
def test_a_connect_to_a_named_address_is_just_ok(address: str | None) -> None:
    step: Any = {"op": "connect", "socket": "c", "to": "srv"}
    if address:
        step["address"] = address
    assert endpoints.connected(step, lambda: pytest.fail("the peer was read")) == ("ok", {})


def test_a_listen_says_ephemeral_only_after_a_failed_bind() -> None:
    ctx = Context(family="fakeos", api="native")
    step: Any = {"op": "listen", "socket": "s"}

    def refused() -> tuple[Any, ...]:
        raise OSError(48, "Address already in use")

    with pytest.raises(OSError):
        endpoints.bound(ctx, {"op": "bind", "socket": "s"}, refused)
    summary, value = endpoints.listened(ctx, step, ("0.0.0.0", 50123))
    assert summary == "ok, on an ephemeral port (its bind had failed)"
    assert value == {"port": "ephemeral", "bind_failed": True}
    assert ctx.bound["s"] == ("0.0.0.0", 50123)
    endpoints.bound(ctx, {"op": "bind", "socket": "s"}, lambda: ("127.0.0.1", 50124))
    assert endpoints.listened(ctx, step, ("127.0.0.1", 50124)) == ("ok", {})


@pytest.mark.parametrize(
    ("size", "peer", "refused"),
    [
        # recv on UDP after shutdown(SHUT_RD) on Linux: 0 bytes, no sender.
        (0, None, False),
        (5, None, True),  # data with no sender cannot be shown to be loopback
        (0, ("192.0.2.7", 4242), True),  # an empty datagram from off loopback
        (0, ("127.0.0.1", 4242), False),
        (5, ("::1", 4242, 0, 0), False),
    ],
)
def test_only_a_datagram_from_loopback_or_no_datagram_at_all_is_kept(
    size: int, peer: Any, refused: bool
) -> None:
    assert (endpoints.datagram_problem(size, peer) is not None) is refused
