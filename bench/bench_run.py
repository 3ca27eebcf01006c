"""Benchmark: the probe library serially and in parallel, in one invocation.

Prints both wall times, their ratio, the longest single probe, the median
per-probe overhead (child process start to its first step) and whether the
parallel verdicts equal the serial ones. Targets on a 2-core machine: the
parallel run within 2x the longest single probe; overhead under 150 ms median.

The parallel run's floor is the longer of its longest probe and its total CPU
work (this process and every child, user and system) divided by the cores: no
start order can beat it. The parallel run is timed twice, in the probes' own
order and longest first (the serial run's durations, as a re-run reads them
from its results file); longest first must come within 1.3x of the floor.
It also runs the library serially through the CPython view (--api python) and
compares the median overheads: loading the native layer (ctypes, the C
library, detaching the sockets) may add at most 10 ms per probe.
Children are started ahead (matrix.runner.prestart), so the serial per-probe overhead
must also be below the median time to start a bare interpreter,
``python -S -c pass``, measured in the same run.

    python bench/bench_run.py [PATHS...]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from matrix.probe.model import ProbeFile
from matrix.probe.selection import builtin_probe_dir
from matrix.probe.validate import validate_paths
from matrix.runner.runner import Runner, default_workers


def timed_run(
    probes: list[ProbeFile],
    workers: int,
    api: str = "native",
    durations: dict[str, float] | None = None,
) -> tuple[float, list[dict[str, Any]]]:
    started = time.monotonic()
    records = Runner(api=api).run_many(probes, workers, durations=durations)
    return time.monotonic() - started, records


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and its waited-for children so far."""
    import resource  # POSIX: the bench runs there

    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bare_interpreter_seconds(times: int = 15) -> float:
    """Median wall time of ``python -S -c pass``: the floor a fresh child would pay."""
    samples = []
    for _ in range(times):
        started = time.monotonic()
        subprocess.run([sys.executable, "-S", "-c", "pass"], check=True)
        samples.append(time.monotonic() - started)
    return statistics.median(samples)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [builtin_probe_dir()]
    probes, problems = validate_paths(paths)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 2
    serial_wall, serial = timed_run(probes, 1)
    workers = default_workers(len(probes))
    # Equal estimates: the probes start in their own (file name) order.
    given_wall, _ = timed_run(probes, workers, durations={p.id: 0.0 for p in probes})
    recorded = {r["id"]: r["duration"] for r in serial}
    cpu_before = cpu_seconds()
    parallel_wall, parallel = timed_run(probes, workers, durations=recorded)
    cpu = cpu_seconds() - cpu_before
    cores = os.cpu_count() or 1
    _python_wall, python_serial = timed_run(probes, 1, api="python")
    longest = max(serial, key=lambda r: r["duration"])
    overheads = [r["overhead"] for r in serial + parallel if "overhead" in r]
    serial_verdicts = {r["id"]: r["verdict"] for r in serial}
    parallel_verdicts = {r["id"]: r["verdict"] for r in parallel}
    differing = sorted(k for k in serial_verdicts if serial_verdicts[k] != parallel_verdicts[k])
    median_overhead_ms = statistics.median(overheads) * 1000
    # Serial runs only: parallel ones measure contention, not start-up cost.
    native_ms = statistics.median(r["overhead"] for r in serial if "overhead" in r) * 1000
    python_ms = statistics.median(r["overhead"] for r in python_serial if "overhead" in r) * 1000
    growth_ms = native_ms - python_ms
    bare_ms = bare_interpreter_seconds() * 1000
    ratio = parallel_wall / longest["duration"]
    floor = max(longest["duration"], cpu / cores)
    floor_ratio = parallel_wall / floor
    print(f"probes:                   {len(probes)}")
    print(f"serial wall:              {serial_wall:.2f} s")
    print(f"parallel wall ({workers:2d} at once): {parallel_wall:.2f} s (longest first)")
    print(f"  in the probes' order:   {given_wall:.2f} s")
    print(f"serial / parallel:        {serial_wall / parallel_wall:.2f}x")
    print(f"longest single probe:     {longest['duration']:.2f} s ({longest['id']})")
    print(f"parallel / longest:       {ratio:.2f}  (target <= 2)")
    print(f"CPU of the parallel run:  {cpu:.2f} s on {cores} cores ({cpu / cores:.2f} s each)")
    print(f"floor:                    {floor:.2f} s (the longer of the two above)")
    print(
        f"parallel / floor:         {floor_ratio:.2f} longest first, "
        f"{given_wall / floor:.2f} in order  (target <= 1.3)"
    )
    print(f"median overhead:          {median_overhead_ms:.0f} ms  (target < 150)")
    print(f"serial overhead native:   {native_ms:.0f} ms, python view {python_ms:.0f} ms")
    print(f"native layer adds:        {growth_ms:.1f} ms per probe  (target <= 10)")
    print(f"python -S -c pass:        {bare_ms:.1f} ms  (median; serial overhead must be below it)")
    print(
        f"verdicts identical:       {not differing}"
        + (f" (differ: {differing})" if differing else "")
    )
    # Start-up against a bare interpreter is judged on serial runs: in the parallel
    # run 16 children share 2 cores, which measures contention, not start-up.
    met = (
        ratio <= 2
        and floor_ratio <= 1.3
        and median_overhead_ms < 150
        and native_ms < bare_ms
        and growth_ms <= 10
        and not differing
    )
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
