"""The engine in this process: sequencing, observations, verdicts, cleanup."""

from __future__ import annotations

import socket
import sys
import threading
from typing import Any

import pytest

from matrix._engine import Engine, verdict_text


def run(probe: dict[str, Any]) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    result = Engine(probe, events.append).run()
    assert [e["observation"] for e in events] == result["observations"]
    return result


def scenario(steps: list[dict[str, Any]], verdict: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": "t",
        "sockets": extra.pop("sockets", [{"pair": ["local", "peer"]}]),
        "steps": steps,
        "verdict": verdict,
        **extra,
    }


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {obs["name"]: obs for obs in result["observations"]}


def test_send_and_recv_are_observed_with_counts() -> None:
    result = run(
        scenario(
            [
                {"op": "send", "socket": "local", "data": "hello", "name": "send"},
                {"op": "recv", "socket": "peer", "name": "recv"},
            ],
            ["send", "recv"],
        )
    )
    assert result["status"] == "ok"
    assert result["verdict"] == "send: 5 bytes (immediate) · recv: 5 bytes (immediate)"


def test_a_blocking_main_step_becomes_blocked_and_the_sequence_goes_on() -> None:
    before = threading.active_count()
    result = run(
        scenario(
            [
                {"op": "recv", "socket": "local", "within": 0.2, "name": "recv"},
                {"op": "close", "socket": "peer", "name": "close"},
            ],
            ["recv", "close"],
        )
    )
    obs = by_name(result)
    assert obs["recv"]["outcome"] == "blocked"
    assert obs["recv"]["bound"] == 0.2
    assert obs["close"]["outcome"] == "returned"
    assert result["cleanup"] == []
    assert threading.active_count() == before, "cleanup must release every thread"


def test_join_observes_a_thread_step_at_that_moment() -> None:
    result = run(
        scenario(
            [
                {"op": "recv", "socket": "local", "thread": "reader", "name": "recv"},
                {"op": "join", "step": "recv", "within": 0.1, "name": "early"},
                {"op": "send", "socket": "peer", "data": "x"},
                {"op": "join", "step": "recv", "within": 2, "name": "late"},
            ],
            ["early", "late"],
        )
    )
    assert result["verdict"] == "early: blocked · late: 1 bytes (immediate)"
    assert by_name(result)["recv"]["outcome"] == "returned"


def test_an_exception_is_an_observation_with_portable_errno() -> None:
    result = run(
        scenario(
            [
                {"op": "close", "socket": "local"},
                {"op": "send", "socket": "local", "data": "x", "name": "send"},
            ],
            ["send"],
        )
    )
    obs = by_name(result)["send"]
    assert obs["outcome"] == "raised"
    assert obs["error"]["exception"] == "OSError"
    assert obs["error"]["portable"] in ("EBADF", "ENOTSOCK")
    assert result["verdict"].startswith("send: E")


def test_drain_compares_with_what_was_sent() -> None:
    result = run(
        scenario(
            [
                {"op": "sendall", "socket": "local", "bytes": 3000, "name": "first"},
                {"op": "send", "socket": "local", "data": "abc", "name": "second"},
                {"op": "close", "socket": "local"},
                {"op": "drain", "socket": "peer", "of": ["first", "second"], "name": "drain"},
            ],
            ["drain"],
        )
    )
    assert by_name(result)["drain"]["summary"] == "all data, then EOF"
    assert by_name(result)["drain"]["value"]["bytes"] == 3003


def test_portable_linger_reads_back_as_set() -> None:
    result = run(
        scenario(
            [
                {
                    "op": "setsockopt",
                    "socket": "s",
                    "option": "SO_LINGER",
                    "linger": {"on": True, "seconds": 3},
                },
                {
                    "op": "getsockopt",
                    "socket": "s",
                    "option": "SO_LINGER",
                    "decode": "linger",
                    "name": "linger",
                },
            ],
            ["linger"],
            sockets=[{"tcp": "s"}],
        )
    )
    assert result["verdict"] == "linger: on, 3 s (immediate)"


def missing_here() -> str:
    """An option on the allow-list that this OS does not have."""
    from matrix._errors import os_family
    from matrix._option_table import KNOWN_OPTIONS, resolve

    family = os_family(sys.platform)
    return next(name for name in KNOWN_OPTIONS if resolve(name, family) is None)


def test_missing_option_is_unsupported_not_an_error() -> None:
    result = run(
        scenario(
            [{"op": "getsockopt", "socket": "s", "option": missing_here(), "name": "get"}],
            ["get"],
            sockets=[{"tcp": "s"}],
        )
    )
    assert result["status"] == "ok"
    assert by_name(result)["get"]["outcome"] == "unsupported"


def test_listener_closed_while_accept_blocks_is_released_at_cleanup() -> None:
    before = threading.active_count()
    result = run(
        scenario(
            [
                {
                    "op": "accept",
                    "socket": "srv",
                    "as": "conn",
                    "thread": "acceptor",
                    "name": "accept",
                },
                {"op": "sleep", "seconds": 0.1},
                {"op": "close", "socket": "srv", "name": "close"},
            ],
            ["close"],
            sockets=[{"listener": "srv"}],
        )
    )
    assert result["status"] == "ok"
    assert not any("still blocked" in note for note in result["cleanup"])
    assert threading.active_count() == before


def test_verdict_names_a_step_that_never_ran() -> None:
    assert verdict_text([], ["missing"]) == "missing: not reached"


def _has_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6(), reason="this machine has no IPv6 loopback")
def test_ipv6_pair() -> None:
    result = run(
        scenario(
            [{"op": "send", "socket": "local", "data": "hi", "name": "send"}],
            ["send"],
            sockets=[{"pair": ["local", "peer"], "family": "ipv6"}],
        )
    )
    assert result["verdict"] == "send: 2 bytes (immediate)"
