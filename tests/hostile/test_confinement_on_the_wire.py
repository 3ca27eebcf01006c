"""Network confinement proved on the wire: hostile probes in a fresh network namespace.

tests/helpers/netns_sniff.py runs inside ``unshare -n`` (a namespace with only
its own loopback and an interface that holds the default route, so nothing can
leave the machine) with a packet sniffer on every interface. The hostile probes
try SO_BINDTODEVICE, IP_OPTIONS with a source route, IP_ADD_MEMBERSHIP, a
non-loopback address, the port of a service on loopback, and a TCP connect to
their own UDP socket's port when that number is a TCP service's. Then another
host (a second namespace on a veth pair) connects to a probe's wildcard-bound
listener and sends a datagram to its wildcard-bound UDP socket: both are
refused, and that host gets nothing from the probe. Linux only, and only where
unprivileged or root namespaces can be made.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest
from helpers.paths import HELPERS

SCRIPT = HELPERS / "netns_sniff.py"


def sniff() -> dict[str, Any]:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        pytest.skip("needs Linux network namespaces")
    if shutil.which("ip") is None:
        pytest.skip("needs iproute2")
    flags = ["-n"] if os.geteuid() == 0 else ["-r", "-n"]
    completed = subprocess.run(
        ["unshare", *flags, sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if completed.returncode != 0 and "Operation not permitted" in completed.stderr:
        pytest.skip("network namespaces are not permitted here")
    assert completed.returncode == 0, completed.stderr[-2000:]
    return dict(json.loads(completed.stdout))


@pytest.fixture(scope="module")
def wire() -> dict[str, Any]:
    return sniff()


def test_the_sniffer_sees_loopback_traffic(wire: dict[str, Any]) -> None:
    assert wire["control_packets"] >= 3, "the control probe's handshake was captured"


def test_no_hostile_probe_sends_a_packet_off_loopback(wire: dict[str, Any]) -> None:
    assert wire["not_loopback"] == []
    assert set(wire["packets_per_interface"]) == {"lo"}


def test_no_hostile_probe_reaches_a_service_on_loopback(wire: dict[str, Any]) -> None:
    assert wire["to_services"] == []


def test_every_hostile_option_and_address_is_refused_by_the_engine(wire: dict[str, Any]) -> None:
    hostile = wire["hostile"]
    for name in (
        "bindtodevice",
        "bindtodevice-at-setup",
        "ip-options-source-route",
        "igmp-membership",
        "connect-public-address",
    ):
        assert hostile[name]["status"] == "harness-error", (name, hostile[name])
    # An old-style literal port is ignored: the engine's own closed port refuses.
    assert hostile["connect-service-port"]["errors"] == ["ECONNREFUSED"]


def test_and_by_validation_first(wire: dict[str, Any]) -> None:
    assert all(message != "accepted" for message in wire["validation"].values())


def test_a_tcp_connect_never_reaches_a_service_at_its_own_udp_sockets_port(
    wire: dict[str, Any],
) -> None:
    owned = wire["udp_port_over_tcp"]
    assert owned["udp_port"] == 40000, "the UDP socket got the TCP service's number"
    assert owned["status"] == "harness-error", owned
    assert "by protocol, address family and port" in owned["reason"]
    assert wire["to_services"] == []  # no SYN to the service on 40000 either


@pytest.mark.parametrize("kind", ["tcp", "udp"])
def test_another_host_reaching_a_wildcard_bound_socket_is_refused_and_gets_nothing(
    wire: dict[str, Any], kind: str
) -> None:
    case = wire["wildcard"][kind]
    assert case["status"] == "harness-error", case
    assert "198.51.100.2 is not on loopback" in case["reason"]
    assert case["other_host"]["received"] == 0, case["other_host"]
    if kind == "tcp":  # refused at once with a reset, not left to time out
        assert case["other_host"]["error"] == "ConnectionResetError", case["other_host"]


def test_nothing_but_the_handshake_and_the_reset_goes_to_the_other_host(
    wire: dict[str, Any],
) -> None:
    assert wire["other_host_packets"] > 0, "the sniffer saw the other host's traffic"
    assert wire["sent_off_loopback_with_data"] == []
    assert wire["sent_udp_off_loopback"] == []
