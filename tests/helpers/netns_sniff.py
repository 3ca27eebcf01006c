"""Run hostile probes inside a fresh network namespace and report every packet seen.

Started by tests/hostile/test_confinement_on_the_wire.py as
``unshare -n python tests/helpers/netns_sniff.py``
(``unshare -rn`` when not root). Inside the new namespace nothing can leave
the machine: it has only its own loopback and a dummy interface ``d0``
(or a veth pair kept inside the namespace; 192.0.2.1/24, TEST-NET-1,
RFC 5737) that holds the default route, so any
packet a probe manages to send anywhere but loopback shows up on ``d0``.
This script itself sends nothing to any address but loopback.

An AF_PACKET socket captures on every interface. Two loopback services play
the runner's own (a database, a Docker API): no probe may reach them. A legit
probe is the control that the sniffer sees loopback traffic at all.

A third phase plays another host: a second namespace (``unshare -n`` again,
joined by a veth pair, 198.51.100.0/24, TEST-NET-2) connects to a probe's
wildcard-bound listener and sends a datagram to its wildcard-bound UDP
socket; the probes must refuse both and send that host nothing. A fourth
narrows the ephemeral port range so that a probe's UDP socket gets the
number of a TCP service this script runs: a TCP connect to the UDP socket
must not reach it.

Prints one JSON document: packets per interface, packets to the services,
packets of the control probe, each hostile case's status, and what the other
host saw.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's matrix/

from matrix.engine.scenario import Engine
from matrix.probe.validate import validate_text

ETH_P_ALL = 0x0003


def setup_namespace() -> None:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
    # A dummy interface where the kernel has the module; else a veth pair whose
    # both ends stay inside this namespace.
    made = subprocess.run(["ip", "link", "add", "d0", "type", "dummy"], capture_output=True)
    if made.returncode != 0:
        subprocess.run(
            ["ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1"],
            check=True,
            capture_output=True,
        )
        _no_ipv6("d1")
        subprocess.run(["ip", "link", "set", "d1", "up"], check=True, capture_output=True)
    # The kernel's own IPv6 chatter (neighbour discovery, MLD) on the new
    # interfaces is not a probe's doing: switch IPv6 off there (not on lo).
    _no_ipv6("d0")
    for command in (
        ["ip", "addr", "add", "192.0.2.1/24", "dev", "d0"],
        ["ip", "link", "set", "d0", "up"],
        ["ip", "route", "add", "default", "dev", "d0"],
    ):
        subprocess.run(command, check=True, capture_output=True)


def _no_ipv6(interface: str) -> None:
    path = Path(f"/proc/sys/net/ipv6/conf/{interface}/disable_ipv6")
    if path.exists():
        path.write_text("1\n", encoding="ascii")


class Sniffer:
    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.settimeout(0.1)
        self.packets: list[dict[str, Any]] = []
        self.phase = "hostile"  # which part of the script the packets belong to
        self.running = True
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while self.running:
            try:
                data, address = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.packets.append({**self._describe(data, address), "phase": self.phase})

    @staticmethod
    def _describe(data: bytes, address: tuple[Any, ...]) -> dict[str, Any]:
        interface, protocol = address[0], address[1]
        # sll_pkttype: PACKET_OUTGOING (4) is a packet this namespace sent.
        packet: dict[str, Any] = {
            "interface": interface,
            "protocol": protocol,
            "outgoing": len(address) > 2 and address[2] == 4,
        }
        # Loopback and dummy frames carry a 14-byte Ethernet header here.
        ip = data[14:]
        if protocol == 0x0800 and len(ip) >= 20:
            header = (ip[0] & 0x0F) * 4
            packet.update(
                ip_protocol=ip[9],
                destination=socket.inet_ntoa(ip[16:20]),
                header_length=header,
            )
            if ip[9] in (6, 17) and len(ip) >= header + 4:
                packet["port"] = int.from_bytes(ip[header + 2 : header + 4], "big")
            total = int.from_bytes(ip[2:4], "big")
            if ip[9] == 6 and len(ip) >= header + 13:
                packet["payload"] = total - header - (ip[header + 12] >> 4) * 4
            elif ip[9] == 17:
                packet["payload"] = total - header - 8
        return packet

    def stop(self) -> list[dict[str, Any]]:
        time.sleep(0.3)
        self.running = False
        self.thread.join(2)
        self.sock.close()
        return self.packets


def probe_text(steps: str, sockets: str) -> str:
    return (
        "id: hostile\ntitle: t\nquestion: q\ntags: [x]\nsources: [s]\n"
        f"sockets: {sockets}\nsteps:\n{steps}verdict: [x]\n"
    )


def hostile_cases(service_port: int, udp_port: int) -> dict[str, dict[str, Any]]:
    """Each as a probe document handed to the engine directly (validation bypassed)."""
    lsrr = [0x83, 7, 4, 8, 8, 8, 8, 0]  # loose source route through 8.8.8.8 (RFC 791)
    membership = list(socket.inet_aton("224.0.0.251") + socket.inet_aton("192.0.2.1"))
    device = list(b"d0".ljust(16, b"\0"))
    raw = "BBBBBBBBBBBBBBBB"
    listener_then = [{"op": "connect", "socket": "c", "to": "srv", "name": "x", "within": 1}]
    return {
        "bindtodevice": {
            "sockets": [{"listener": "srv"}, {"tcp": "c"}],
            "steps": [
                {
                    "op": "setsockopt",
                    "socket": "c",
                    "option": "SO_BINDTODEVICE",
                    "raw": {"format": raw, "values": device},
                },
                *listener_then,
            ],
        },
        "bindtodevice-at-setup": {
            "sockets": [{"listener": "srv"}, {"tcp": "c", "options": {"SO_BINDTODEVICE": 1}}],
            "steps": listener_then,
        },
        "ip-options-source-route": {
            "sockets": [{"udp": "u"}, {"udp": "v"}],
            "steps": [
                {
                    "op": "setsockopt",
                    "socket": "u",
                    "option": "IP_OPTIONS",
                    "raw": {"format": "BBBBBBBB", "values": lsrr},
                },
                {"op": "sendto", "socket": "u", "to": "v", "data": "payload", "name": "x"},
            ],
        },
        "igmp-membership": {
            "sockets": [{"udp": "u"}],
            "steps": [
                {
                    "op": "setsockopt",
                    "socket": "u",
                    "option": "IP_ADD_MEMBERSHIP",
                    "raw": {"format": "BBBBBBBB", "values": membership},
                    "name": "x",
                },
            ],
        },
        "connect-public-address": {
            "sockets": [{"tcp": "c"}],
            "steps": [
                {
                    "op": "connect",
                    "socket": "c",
                    "address": "192.0.2.99",
                    "closed_port": True,
                    "name": "x",
                    "within": 1,
                }
            ],
        },
        "connect-service-port": {
            "sockets": [{"tcp": "c"}],
            "steps": [
                {"op": "connect", "socket": "c", "port": service_port, "name": "x", "within": 1}
            ],
        },
        "sendto-service-port": {
            "sockets": [{"udp": "u"}],
            "steps": [{"op": "sendto", "socket": "u", "port": udp_port, "data": "x", "name": "x"}],
        },
    }


def run_engine(case: dict[str, Any]) -> dict[str, Any]:
    probe = {"id": "hostile", "sockets": case["sockets"], "steps": case["steps"], "verdict": ["x"]}
    result = Engine(probe, lambda event: None).run()
    errors = [o["error"]["portable"] for o in result["observations"] if o.get("error")]
    return {"status": result["status"], "reason": result["reason"], "errors": errors}


def validation_refusals() -> dict[str, str]:
    texts = {
        "bindtodevice": probe_text(
            "  - {op: setsockopt, socket: c, option: SO_BINDTODEVICE, "
            "raw: {format: BBBB, values: [100, 48, 0, 0]}, name: x}\n",
            "[{tcp: c}]",
        ),
        "ip-options": probe_text(
            "  - {op: setsockopt, socket: u, option: IP_OPTIONS, "
            "raw: {format: BBBB, values: [131, 7, 4, 8]}, name: x}\n",
            "[{udp: u}]",
        ),
        "literal-port": probe_text(
            "  - {op: connect, socket: c, port: 5432, name: x}\n", "[{tcp: c}]"
        ),
    }
    refusals = {}
    for name, text in texts.items():
        probe, problems = validate_text(text, "hostile.yaml", "hostile")
        refusals[name] = "accepted" if probe is not None else problems[0].message[:80]
    return refusals


# The other host: says it is ready, then reads "tcp PORT" or "udp PORT" lines and
# reports what each attempt got.
REMOTE = r"""
import json, socket, sys
print("ready", flush=True)
for line in sys.stdin:
    kind, port = line.split()
    got = {"kind": kind, "connected": False, "received": 0, "error": None}
    try:
        if kind == "tcp":
            with socket.create_connection(("198.51.100.1", int(port)), timeout=5) as peer:
                got["connected"] = True
                peer.settimeout(3)
                got["received"] = len(peer.recv(100))
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
                peer.settimeout(3)
                peer.sendto(b"hello", ("198.51.100.1", int(port)))
                got["connected"] = True
                got["received"] = len(peer.recv(100))
    except OSError as exc:
        got["error"] = type(exc).__name__
    print(json.dumps(got), flush=True)
"""


def other_host() -> subprocess.Popen[str]:
    """A process in a namespace of its own, joined to this one by veth vA/vB."""
    remote = subprocess.Popen(
        ["unshare", "-n", sys.executable, "-c", REMOTE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert remote.stdout is not None
    assert remote.stdout.readline().strip() == "ready"  # in its namespace now
    for command in (
        ["ip", "link", "add", "vA", "type", "veth", "peer", "name", "vB"],
        ["ip", "link", "set", "vB", "netns", str(remote.pid)],
        ["ip", "addr", "add", "198.51.100.1/24", "dev", "vA"],
        ["ip", "link", "set", "vA", "up"],
    ):
        subprocess.run(command, check=True, capture_output=True)
    _no_ipv6("vA")
    inside = ["nsenter", "-t", str(remote.pid), "-n"]
    for command in (
        # No IPv6 chatter (neighbour discovery, MLD) from the other host's side either.
        [sys.executable, "-c", "open('/proc/sys/net/ipv6/conf/vB/disable_ipv6', 'w').write('1')"],
        ["ip", "link", "set", "lo", "up"],
        ["ip", "addr", "add", "198.51.100.2/24", "dev", "vB"],
        ["ip", "link", "set", "vB", "up"],
    ):
        subprocess.run(inside + command, check=True, capture_output=True)
    time.sleep(1.0)  # the veth link comes up
    return remote


def wildcard_cases(remote: subprocess.Popen[str]) -> dict[str, Any]:
    """A probe waits on a wildcard-bound socket; the other host reaches it."""
    cases = {
        "tcp": {
            "sockets": [{"tcp": "srv"}],
            "steps": [
                {"op": "bind", "socket": "srv", "address": "0.0.0.0"},
                {"op": "listen", "socket": "srv"},
                {"op": "accept", "socket": "srv", "as": "conn", "within": 10, "name": "x"},
                {"op": "send", "socket": "conn", "data": "probe-data", "name": "y"},
            ],
            "name": "srv",
        },
        "udp": {
            "sockets": [{"udp": "u", "bind": False}],
            "steps": [
                {"op": "bind", "socket": "u", "address": "0.0.0.0"},
                {"op": "recvfrom", "socket": "u", "within": 10, "name": "x"},
                {"op": "sendto", "socket": "u", "to": "u", "data": "probe-data", "name": "y"},
            ],
            "name": "u",
        },
    }
    seen: dict[str, Any] = {}
    assert remote.stdin is not None and remote.stdout is not None
    for kind, case in cases.items():
        probe = {"id": "wild", "sockets": case["sockets"], "steps": case["steps"],
                 "verdict": ["x"]}  # fmt: skip
        engine = Engine(probe, lambda event: None)
        result: dict[str, Any] = {}
        runner = threading.Thread(target=lambda e=engine, r=result: r.update(e.run()))
        runner.start()
        deadline = time.monotonic() + 10
        while case["name"] not in engine.ctx.bound and time.monotonic() < deadline:
            time.sleep(0.01)
        remote.stdin.write(f"{kind} {engine.ctx.bound[case['name']][1]}\n")
        remote.stdin.flush()
        other = json.loads(remote.stdout.readline())
        runner.join(15)
        seen[kind] = {"status": result.get("status"), "reason": result.get("reason"),
                      "other_host": other}  # fmt: skip
    return seen


def udp_port_over_tcp(sniffer: Sniffer) -> dict[str, Any]:
    """The ephemeral range narrowed to 40000-40001, UDP 40001 taken: a probe's UDP
    socket gets 40000, the port of a TCP service; its TCP socket connects `to` it."""
    sysctl = "/proc/sys/net/ipv4/ip_local_port_range"
    with open(sysctl, encoding="ascii") as handle:
        saved = handle.read()
    service = socket.socket()
    service.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    service.bind(("127.0.0.1", 40000))
    service.listen(8)
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 40001))
    try:
        with open(sysctl, "w", encoding="ascii") as handle:
            handle.write("40000 40001\n")
        sniffer.phase = "udp-port-over-tcp"
        probe = {
            "id": "own",
            "sockets": [{"udp": "u"}, {"tcp": "c"}],
            "steps": [{"op": "connect", "socket": "c", "to": "u", "within": 2, "name": "x"}],
            "verdict": ["x"],
        }
        engine = Engine(probe, lambda event: None)
        result = engine.run()
        udp_port = engine.ctx.bound["u"][1]
    finally:
        with open(sysctl, "w", encoding="ascii") as handle:
            handle.write(saved)
        sniffer.phase = "hostile"
        service.close()
        taken.close()
    return {"status": result["status"], "reason": result["reason"], "udp_port": udp_port}


def main() -> None:
    setup_namespace()
    time.sleep(0.5)  # let the interfaces settle before listening
    sniffer = Sniffer()
    service = socket.socket()
    service.bind(("127.0.0.1", 0))
    service.listen(8)
    service_port = service.getsockname()[1]
    udp_service = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_service.bind(("127.0.0.1", 0))
    udp_port = udp_service.getsockname()[1]

    statuses = {
        name: run_engine(case) for name, case in hostile_cases(service_port, udp_port).items()
    }
    owned = udp_port_over_tcp(sniffer)
    # The control: a legit probe whose traffic the sniffer must see on loopback.
    control = Engine(
        {
            "id": "control",
            "sockets": [{"listener": "srv"}, {"tcp": "c"}],
            "steps": [{"op": "connect", "socket": "c", "to": "srv", "name": "x"}],
            "verdict": ["x"],
        },
        lambda event: None,
    )
    control.run()
    control_port = control.ctx.bound["srv"][1]
    # Last, as everything from here on is the other host's phase.
    sniffer.phase = "other-host"
    remote = other_host()
    wildcard = wildcard_cases(remote)
    assert remote.stdin is not None
    remote.stdin.close()
    remote.wait(10)
    packets = sniffer.stop()
    service.close()
    udp_service.close()
    per_interface: dict[str, int] = {}
    probes_own = [p for p in packets if p["phase"] != "other-host"]
    for packet in probes_own:
        per_interface[packet["interface"]] = per_interface.get(packet["interface"], 0) + 1
    other_host_packets = [p for p in packets if p["phase"] == "other-host"]
    print(
        json.dumps(
            {
                "packets_per_interface": per_interface,
                "not_loopback": [p for p in probes_own if p["interface"] != "lo"],
                "to_services": [
                    p
                    for p in packets
                    if p.get("port") in (service_port, udp_port)
                    or (p["phase"] == "udp-port-over-tcp" and p.get("port") == 40000)
                ],
                "udp_port_over_tcp": owned,
                "wildcard": wildcard,
                # What this namespace sent the other host: handshake and reset only.
                "sent_off_loopback_with_data": [
                    p
                    for p in other_host_packets
                    if p["outgoing"] and p["interface"] != "lo" and p.get("payload", 0) > 0
                ],
                "sent_udp_off_loopback": [
                    p
                    for p in other_host_packets
                    if p["outgoing"] and p["interface"] != "lo" and p.get("ip_protocol") == 17
                ],
                "other_host_packets": len(other_host_packets),
                "control_packets": sum(1 for p in packets if p.get("port") == control_port),
                "hostile": statuses,
                "validation": validation_refusals(),
            }
        )
    )


if __name__ == "__main__":
    main()
