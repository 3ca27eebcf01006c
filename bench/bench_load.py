"""Stability under load: the full library --repeat N while a CPU hog keeps every core busy.

Runs the library once on an idle machine, then N times in parallel with one
busy-looping process per core, and reports every probe whose verdict changed
between runs or differs from the idle run. Target: none.

    python bench/bench_load.py [--repeat 10] [PATHS...]
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    probes, problems = validate_paths(args.paths or [builtin_probe_dir()])
    if problems:
        print("\n".join(map(str, problems)), file=sys.stderr)
        return 2
    workers = default_workers(len(probes))
    runner = Runner()
    started = time.monotonic()
    idle = {r["id"]: verdict_or_status(r) for r in runner.run_many(probes, workers)}
    idle_wall = time.monotonic() - started
    cores = os.cpu_count() or 2
    hogs = start_hogs(cores)
    try:
        started = time.monotonic()
        loaded = runner.run_many(probes, workers, repeat=args.repeat)
        loaded_wall = time.monotonic() - started
    finally:
        stop_hogs(hogs)
    unstable = [r for r in loaded if r.get("unstable")]
    moved = [r for r in loaded if not r.get("unstable") and verdict_or_status(r) != idle[r["id"]]]
    print(
        f"probes: {len(probes)}; idle run {idle_wall:.1f} s; "
        f"loaded ({cores} busy-loop processes) {args.repeat} runs each: {loaded_wall:.1f} s"
    )
    for record in unstable:
        counts = " / ".join(f"{n}x {v}" for v, n in record["repeat"]["verdicts"].items())
        print(f"UNSTABLE {record['id']}: {counts}")
    for record in moved:
        print(
            f"DIFFERS FROM IDLE {record['id']}: idle {idle[record['id']]!r}, "
            f"loaded {record.get('verdict')!r}"
        )
    ok = not unstable and not moved
    runs = len(probes) * args.repeat
    print(
        f"{runs} loaded runs: "
        + ("every probe gave its idle verdict every time" if ok else "TARGET MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
