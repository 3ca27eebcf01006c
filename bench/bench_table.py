"""Benchmark: merge and render synthetic results (fictional platforms) in every format.

Target: 100 platforms x 300 probes under 2 s in total on a 2-core machine, and
time growing linearly with platforms x probes (times printed for 25/50/100).
The synthetic files are written to a temporary directory, never to results/.

    python bench/bench_table.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from matrix.merge import load_and_merge, results_files
from matrix.render_html import render_html
from matrix.render_json import render_json
from matrix.render_md import render_markdown
from matrix.render_text import render_text

PROBES = 300


def synthetic_results(platform: int, probes: int) -> dict[str, Any]:
    records = []
    for n in range(probes):
        verdict = f"step-a: {'EOF' if (n + platform) % 3 else 'ECONNRESET'} (immediate)"
        records.append(
            {
                "id": f"probe-{n:03d}",
                "file": f"probes/probe-{n:03d}.yaml",
                "sha256": "0" * 64,
                "status": "ok",
                "reason": None,
                "duration": 0.1,
                "verdict": verdict,
                "observations": [
                    {
                        "name": "step-a",
                        "op": "recv",
                        "outcome": "returned",
                        "summary": "EOF",
                        "timing": "immediate",
                        "elapsed": 0.001,
                        "error": None,
                        "value": {},
                    }
                ],
            }
        )
    return {
        "schema_version": 1,
        "tool": {"name": "sockmatrix", "version": "bench"},
        "platform": {
            "os": f"benchos{platform % 5}",
            "os_version": f"{platform}.0",
            "machine": "x86_64",
            "python_version": "3.11.0",
            "key": f"benchos{platform % 5}-{platform}.0-x86_64-py3.11",
        },
        "started": "2030-01-01T00:00:00+00:00",
        "finished": None,
        "complete": True,
        "probes": records,
    }


def measure(directory: Path, platforms: int) -> dict[str, float]:
    files = results_files([directory])[:platforms]
    timings: dict[str, float] = {}
    started = time.perf_counter()
    merged = load_and_merge(files, [])
    timings["load+merge"] = time.perf_counter() - started
    for name, render in (
        ("md", render_markdown),
        ("html", render_html),
        ("json", render_json),
        ("text", render_text),
    ):
        began = time.perf_counter()
        render(merged)
        timings[name] = time.perf_counter() - began
    timings["total"] = time.perf_counter() - started
    return timings


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sockmatrix-bench-") as folder:
        directory = Path(folder)
        for platform in range(100):
            (directory / f"p{platform:03d}.json").write_text(
                json.dumps(synthetic_results(platform, PROBES)), encoding="utf-8"
            )
        results = {n: measure(directory, n) for n in (25, 50, 100)}
    for platforms, timings in results.items():
        parts = "  ".join(f"{k} {v:.2f}s" for k, v in timings.items())
        print(f"{platforms:3d} platforms x {PROBES} probes: {parts}")
    per_cell = [results[n]["total"] / (n * PROBES) * 1e6 for n in results]
    print(
        "microseconds per cell: "
        + ", ".join(f"{v:.1f}" for v in per_cell)
        + "  (linear growth keeps these about equal)"
    )
    total = results[100]["total"]
    print(f"100 x {PROBES}: {total:.2f} s (target < 2 s): {'met' if total < 2 else 'MISSED'}")
    return 0 if total < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
