"""Benchmark: how sockmatrix scales with the number of probes, as ratios in one run.

- run: ``sockmatrix run`` of SMALL and LARGE tiny probes (generated, one send
  each, default 100 and 1,000; ``-n auto``): wall and CPU (the command and
  every child) per probe, and LARGE's per-probe wall against SMALL's. Linear
  means the ratio stays near 1 (target <= 1.2); it was 1.26 at 200 vs 800
  when every record rewrote the whole results file.
- records: a results writer given SMALL and 10x SMALL records of a real
  record's size (3 KB): seconds per record, and the ratio (target <= 1.5).
- validate: ``sockmatrix validate`` of one small file (valid, and with one
  mistake for jsonschema to explain) and ``--help``, each against a bare
  interpreter start (``python -c pass``) in the same run (median of 11, runs
  interleaved, bytecode written as an installed package has it). The target
  is the issue's "0.1 s, where a bare interpreter takes 0.01 s": sockmatrix's
  own part, the wall beyond the bare start, within 0.09 s for a valid file and
  for --help. And ``validate`` of SMALL and LARGE files: CPU seconds per file
  beyond the first (the start is paid once), and the ratio (target <= 1.2).

    python bench/bench_scale.py [--small 100] [--large 1000] [--skip-run]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROBE = """\
id: tiny-{n:05d}
title: A tiny probe
question: Does a send on a fresh pair return?
tags: [bench]
sources: [made up for the benchmark]
sockets:
  - pair: [local, peer]
steps:
  - {{op: send, socket: local, data: hi, name: send}}
verdict: [send]
"""
CLI = [sys.executable, "-m", "matrix"]


def write_probes(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"tiny-{n:05d}.yaml").write_text(PROBE.format(n=n), encoding="utf-8")
    return folder


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str], status: int = 0) -> tuple[float, float]:
    """(wall, CPU of the command and its children) of one command, which must
    end with ``status``."""
    cpu = _children_cpu()
    started = time.monotonic()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - started
    if done.returncode != status:
        raise SystemExit(f"{command} ended {done.returncode}, not {status}")
    return wall, _children_cpu() - cpu


def interleaved(
    commands: dict[str, tuple[list[str], int]], env: dict[str, str], times: int = 11
) -> dict[str, tuple[float, float]]:
    """(Median wall, median CPU) of each (command, its exit status), run in turns
    so a change of load hits them all."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(times):
        for name, (command, status) in commands.items():
            samples[name].append(timed(command, env, status))
    return {
        name: (statistics.median(s[0] for s in runs), statistics.median(s[1] for s in runs))
        for name, runs in samples.items()
    }


def per_record_seconds(folder: Path, count: int) -> float:
    from matrix.results.document import ResultsWriter

    record = {
        "id": "",
        "file": "probes/x.yaml",
        "sha256": "0" * 64,
        "status": "ok",
        "reason": "",
        "verdict": "send: 2 bytes (immediate)",
        "observations": [],
        "probe": {"title": "t" * 3000},
    }
    writer = ResultsWriter(folder / f"records-{count}.json")
    started = time.monotonic()
    for n in range(count):
        writer.add({**record, "id": f"p{n:06d}"})  # type: ignore[typeddict-item]
    writer.finish()
    return (time.monotonic() - started) / count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--skip-run", action="store_true", help="leave out the run part")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    # Bytecode as an installed package has it: without it every start compiles
    # the modules validate imports (30 ms here), which no user's hook pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    met = True
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        small = write_probes(base / "small", args.small)
        large = write_probes(base / "large", args.large)
        one = large / "tiny-00000.yaml"
        mistaken = base / "tiny-mistake.yaml"
        mistaken.write_text(PROBE.format(n=0).replace("title: A tiny", "titel: A tiny"))
        timed([*CLI, "validate", str(one)], env)  # bytecode written
        timed([*CLI, "validate", str(mistaken)], env, status=2)

        measured = interleaved(
            {
                "python -c pass": ([sys.executable, "-c", "pass"], 0),
                "validate one small file": ([*CLI, "validate", str(one)], 0),
                "validate, one mistake": ([*CLI, "validate", str(mistaken)], 2),
                "--help": ([*CLI, "--help"], 0),
            },
            env,
        )
        walls = {name: wall for name, (wall, _) in measured.items()}
        bare = walls["python -c pass"]
        print(f"{'python -c pass:':26s} {bare * 1000:.0f} ms (median)")
        for name, wall in list(walls.items())[1:]:
            print(
                f"{name + ':':26s} {wall * 1000:.0f} ms: {(wall - bare) * 1000:.0f} ms beyond "
                f"the bare start ({wall / bare:.1f}x it)"
            )
        own = {name: wall - bare for name, wall in walls.items()}
        met &= own["validate one small file"] <= 0.09 and own["--help"] <= 0.09
        validate_one_cpu = measured["validate one small file"][1]

        # CPU per file beyond the first (the start is paid once; CPU, not wall,
        # since a wall difference over 100 files drowns in a shared machine's noise).
        small_validate = (timed([*CLI, "validate", str(small)], env)[1] - validate_one_cpu) / (
            args.small - 1
        )
        large_validate = (timed([*CLI, "validate", str(large)], env)[1] - validate_one_cpu) / (
            args.large - 1
        )
        ratio = large_validate / small_validate
        print(
            f"validate CPU per further file: {small_validate * 1000:.2f} ms at {args.small}, "
            f"{large_validate * 1000:.2f} ms at {args.large} ({ratio:.2f}x, target <= 1.2)"
        )
        met &= ratio <= 1.2

        few = per_record_seconds(base, args.small)
        many = per_record_seconds(base, args.small * 10)
        ratio = many / few
        print(
            f"results writer per record: {few * 1000:.2f} ms at {args.small}, "
            f"{many * 1000:.2f} ms at {args.small * 10} ({ratio:.2f}x, target <= 1.5)"
        )
        met &= ratio <= 1.5

        if not args.skip_run:
            walls = {}
            for count, folder in ((args.small, small), (args.large, large)):
                output = base / f"run-{count}.json"
                command = [*CLI, "run", str(folder), "--output", str(output), "--quiet"]
                wall, cpu = timed(command, env)
                walls[count] = wall / count
                print(
                    f"run of {count:5d} probes:     {wall:.1f} s, "
                    f"{wall / count * 1000:.0f} ms wall, "
                    f"{cpu / count * 1000:.0f} ms CPU per probe"
                )
            ratio = walls[args.large] / walls[args.small]
            print(f"per-probe wall {args.large} vs {args.small}: {ratio:.2f}x (target <= 1.2)")
            met &= ratio <= 1.2
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
