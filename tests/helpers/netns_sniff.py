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

Prints one JSON document: packets per interface, packets to the services,
packets of the control probe, and each hostile case's status.
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
            self.packets.append(self._describe(data, address))

    @staticmethod
    def _describe(data: bytes, address: tuple[Any, ...]) -> dict[str, Any]:
        interface, protocol = address[0], address[1]
        packet: dict[str, Any] = {"interface": interface, "protocol": protocol}
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
    packets = sniffer.stop()
    service.close()
    udp_service.close()
    per_interface: dict[str, int] = {}
    for packet in packets:
        per_interface[packet["interface"]] = per_interface.get(packet["interface"], 0) + 1
    print(
        json.dumps(
            {
                "packets_per_interface": per_interface,
                "not_loopback": [p for p in packets if p["interface"] != "lo"],
                "to_services": [p for p in packets if p.get("port") in (service_port, udp_port)],
                "control_packets": sum(1 for p in packets if p.get("port") == control_port),
                "hostile": statuses,
                "validation": validation_refusals(),
            }
        )
    )


if __name__ == "__main__":
    main()
