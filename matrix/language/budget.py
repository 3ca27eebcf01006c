"""What a whole probe may ask the engine to allocate, summed over its steps.

Payloads of send, sendall and sendto plus recv buffers count; a blocked step
keeps its buffer alive while the probe goes on, and 16 probes run at once, so
a per-step limit alone let one file ask for gigabytes (199 sendall steps of
16 MiB reached 3.3 GB). Checked at validation and again by the engine. Pure
standard library: the engine imports it in every probe's process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_PROBE_BYTES = 32 * 1024 * 1024
DEFAULT_RECV_BYTES = 65536


def probe_bytes(data: Mapping[str, Any]) -> int:
    """Upper bound of the bytes a probe's steps allocate, summed."""
    total = 0
    for step in data.get("steps", []):
        if not isinstance(step, dict):
            continue
        op = step.get("op")
        if op in ("send", "sendall", "sendto"):
            if isinstance(step.get("data"), str):
                total += 4 * len(step["data"])  # UTF-8: at most 4 bytes a character
            elif isinstance(step.get("bytes"), int):
                total += step["bytes"]
        elif op in ("recv", "recvfrom"):
            size = step.get("bytes", DEFAULT_RECV_BYTES)
            total += size if isinstance(size, int) else 0
    return total


def budget_problem(data: Mapping[str, Any]) -> str | None:
    total = probe_bytes(data)
    if total <= MAX_PROBE_BYTES:
        return None
    return (
        f"the steps would allocate up to {total} bytes in all (send, sendall and "
        f"sendto payloads plus recv buffers); a probe may use at most {MAX_PROBE_BYTES}"
    )
