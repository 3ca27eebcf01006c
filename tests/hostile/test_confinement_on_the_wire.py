"""Network confinement proved on the wire: hostile probes in a fresh network namespace.

tests/helpers/netns_sniff.py runs inside ``unshare -n`` (a namespace with only
its own loopback and an interface that holds the default route, so nothing can
leave the machine) with a packet sniffer on every interface. The hostile probes
try SO_BINDTODEVICE, IP_OPTIONS with a source route, IP_ADD_MEMBERSHIP, a
non-loopback address and the port of a service on loopback. Linux only, and
only where unprivileged or root namespaces can be made.
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
