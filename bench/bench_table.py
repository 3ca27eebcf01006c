"""Benchmark: merging and rendering the table, measured against json.load of the same files.

Synthetic results of fictional platforms, written to a temporary directory
(never to results/), shaped like real results files (four observations per
probe, two of them errors, about 1.4 KB per record). Printed, from one run:

1. ratio = (load + merge + render md, html, json, text) / (read + json.load of the
   same files), 100 platforms x 300 probes = 30,000 cells. Target <= 5.
2. microseconds per cell for the table at 30,000 .. 230,000 cells (a year of
   weekly runs x 15 images x 300 probes) and for the history view of the same
   cells; without quadratic steps these stay about equal (target: the largest
   size costs at most 1.5x the smallest per cell). The HTML's size and the
   biggest single data block (details are lazy: one block per row, parsed
   when opened) are printed too.

    python bench/bench_table.py
"""

from __future__ import annotations

import gc
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from matrix.render.to_html import render_html
from matrix.render.to_json import render_json
from matrix.render.to_md import render_markdown
from matrix.render.to_text import render_text
from matrix.table import history
from matrix.table.merge import load_and_merge, results_files

PROBES = 300
RATIO_TARGET = 5.0
GROWTH_TARGET = 1.5
OUTCOMES = [("EOF", None), ("ECONNRESET", "ECONNRESET"), ("blocked", None), ("5 bytes", None)]


def _observation(name: str, summary: str, portable: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "op": "recv",
        "socket": "peer",
        "thread": None,
        "step_index": 3,
        "outcome": "raised" if portable else "returned",
        "summary": summary,
        "bound": 2.0,
        "elapsed": 0.0001,
        "timing": "immediate",
        "error": None
        if portable is None
        else {
            "exception": "ConnectionResetError",
            "errno": 104,
            "name": portable,
            "portable": portable,
            "message": "[Errno 104] Connection reset by peer",
        },
        "value": {"bytes": 0},
    }


def synthetic_results(platform: int, probes: int, version: int = 0) -> dict[str, Any]:
    records = []
    for n in range(probes):
        observations = []
        for step in range(4):
            summary, portable = OUTCOMES[(n + step * platform + version // 7) % 4]
            if step % 2 == 0:
                portable = "EPIPE"
                summary = "EPIPE"
            observations.append(_observation(f"step-{step}", summary, portable))
        verdict = " · ".join(f"{o['name']}: {o['summary']} ({o['timing']})" for o in observations)
        records.append(
            {
                "id": f"probe-{n:03d}",
                "file": f"probes/area/probe-{n:03d}.yaml",
                "sha256": hashlib.sha256(f"probe-{n}".encode()).hexdigest(),
                "status": "ok",
                "reason": None,
                "duration": 0.1,
                "verdict": verdict,
                "observations": observations,
                "cleanup": [],
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
            # One key per image version: 15 images x 52 weekly versions are 780
            # columns of 300 probes (234,000 cells) in the table.
            "key": f"benchos{platform % 5}-{platform}.0-v{version}-x86_64-py3.11",
        },
        "source": {"image_os": f"benchimage{platform}", "image_version": f"2030.{version}"},
        "started": f"2030-01-01T00:00:{version % 60:02d}+00:00",
        "finished": None,
        "complete": True,
        "probes": records,
    }


def write_files(directory: Path, platforms: int, versions: int = 1) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for platform in range(platforms):
        for version in range(versions):
            document = synthetic_results(platform, PROBES, version)
            name = f"p{platform:03d}-v{version:03d}.json"
            (directory / name).write_text(json.dumps(document), encoding="utf-8")
    return results_files([directory])


def json_load_seconds(files: list[Path]) -> float:
    started = time.process_time()
    for file in files:
        json.loads(file.read_text(encoding="utf-8"))
    return time.process_time() - started


def table_seconds(files: list[Path]) -> tuple[float, dict[str, float], int, int]:
    timings: dict[str, float] = {}
    started = time.process_time()
    merged = load_and_merge(files, [])
    timings["load+merge"] = time.process_time() - started
    page = ""
    for name, render in (
        ("md", render_markdown),
        ("html", render_html),
        ("json", render_json),
        ("text", render_text),
    ):
        began = time.process_time()
        output = render(merged)
        timings[name] = time.process_time() - began
        if name == "html":
            page = output
    total = time.process_time() - started
    blocks = page.split('<script type="application/json"')[1:]
    biggest = max((len(b) for b in blocks), default=0)
    return total, timings, len(page), biggest


def history_seconds(folder: Path) -> float:
    started = time.process_time()
    entries, _ = history.load([folder])
    history.ranges(entries)
    return time.process_time() - started


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="sockmatrix-bench-") as folder:
        files = write_files(Path(folder) / "ratio", 100)
        gc.collect()
        load = min(json_load_seconds(files) for _ in range(2))
        # The faster of two runs each, for the table as for json.load: the machine
        # is shared, and the slower run measures the neighbours, not this code.
        total, timings, _, _ = min(table_seconds(files) for _ in range(2))
        ratio = total / load
        parts = "  ".join(f"{k} {v:.2f}s" for k, v in timings.items())
        print(f"100 platforms x {PROBES} probes: json.load {load:.2f}s; "
              f"table {total:.2f}s ({parts})")  # fmt: skip
        met = ratio <= RATIO_TARGET
        ok &= met
        print(f"ratio merge+render / json.load: {ratio:.2f} (target <= {RATIO_TARGET}): "
              f"{'met' if met else 'MISSED'}")  # fmt: skip

        per_cell: dict[int, tuple[float, float]] = {}
        for platforms, versions in ((15, 7), (15, 52)):  # 31,500 and 234,000 cells
            directory = Path(folder) / f"scale-{versions}"
            files = write_files(directory, platforms, versions)
            cells = len(files) * PROBES
            gc.collect()
            seconds, _, size, biggest = table_seconds(files)
            gc.collect()
            past = history_seconds(directory)
            per_cell[cells] = (seconds / cells * 1e6, past / cells * 1e6)
            print(
                f"{cells:7d} cells: table {seconds:.2f}s ({per_cell[cells][0]:.1f} us/cell, "
                f"HTML {size / 1e6:.0f} MB, biggest lazy detail block {biggest / 1e3:.0f} kB); "
                f"history {past:.2f}s ({per_cell[cells][1]:.1f} us/cell)"
            )
            for file in files:
                file.unlink()
    small, large = per_cell[min(per_cell)], per_cell[max(per_cell)]
    growth = max(large[0] / small[0], large[1] / small[1])
    met = growth <= GROWTH_TARGET
    ok &= met
    print(f"per-cell cost, largest / smallest size: {growth:.2f} (target <= {GROWTH_TARGET}, "
          f"linear): {'met' if met else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
