"""Stability under load: the whole library --repeat N, idle and with twice as many busy processes
as cores.

Runs every probe N times (default 5) on the machine as it is, then N times again
while 2 busy-looping processes per core keep the CPU saturated, and reports the
probes whose runs disagreed (unstable) in each, and every probe whose loaded
verdict differs from its idle one. The load average at each start is printed
beside the figures, since "idle" is whatever else the machine is doing.
Target: 0 unstable under load.

    python bench/bench_load.py [--repeat 5] [--hogs-per-core 2] [PATHS...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from matrix.probe.selection import builtin_probe_dir
from matrix.probe.validate import validate_paths
from matrix.results.document_types import Record
from matrix.results.records import verdict_or_status
from matrix.runner.runner import Runner, default_workers

HOG = "while True: pass"


def start_hogs(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(count)]


def stop_hogs(hogs: list[subprocess.Popen[bytes]]) -> None:
    for hog in hogs:
        hog.kill()
    for hog in hogs:
        hog.wait()


def load_average() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except (AttributeError, OSError):  # Windows
        return "n/a"


def report(label: str, records: list[Record], wall: float, load: str) -> list[Record]:
    unstable = [r for r in records if r.get("unstable")]
    runs = records[0].get("repeat", {}).get("runs", 1) if records else 0
    print(
        f"{label}: {len(unstable)} of {len(records)} probes unstable over {runs} runs "
        f"({wall:.1f} s; load average at start {load})"
    )
    for record in unstable:
        counts = " / ".join(f"{n}x {v}" for v, n in record["repeat"]["verdicts"].items())
        print(f"  UNSTABLE {record['id']}: {counts}")
    return unstable


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hogs-per-core", type=int, default=2)
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    probes, problems = validate_paths(args.paths or [builtin_probe_dir()])
    if problems:
        print("\n".join(map(str, problems)), file=sys.stderr)
        return 2
    workers = default_workers(len(probes))
    runner = Runner()
    load = load_average()
    started = time.monotonic()
    idle = runner.run_many(probes, workers, repeat=args.repeat)
    idle_unstable = report("idle", idle, time.monotonic() - started, load)
    cores = os.cpu_count() or 2
    hogs = start_hogs(cores * args.hogs_per_core)
    try:
        time.sleep(1.0)  # let the hogs saturate the CPU before the first probe starts
        load = load_average()
        started = time.monotonic()
        loaded = runner.run_many(probes, workers, repeat=args.repeat)
        loaded_wall = time.monotonic() - started
    finally:
        stop_hogs(hogs)
    label = f"loaded ({len(hogs)} busy-loop processes on {cores} cores)"
    loaded_unstable = report(label, loaded, loaded_wall, load)
    before = {r["id"]: verdict_or_status(r) for r in idle}
    moved = [r for r in loaded if verdict_or_status(r) != before[r["id"]]]
    for record in moved:
        print(
            f"  DIFFERS FROM IDLE {record['id']}: idle {before[record['id']]!r}, "
            f"loaded {verdict_or_status(record)!r}"
        )
    ok = not loaded_unstable and not moved
    print(
        f"unstable: idle {len(idle_unstable)}, loaded {len(loaded_unstable)} "
        f"(of {len(probes)} probes, {args.repeat} runs each); "
        + ("target met" if ok else "TARGET MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
