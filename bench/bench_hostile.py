"""Benchmark: the hostile corpus, worst time and memory per attack class.

Every case of tests/helpers/hostile_corpus.py (alias bombs, 5,000-digit integers,
.nan/.inf, lone surrogates, 19,900 steps, allocation bombs, trailing-newline
ids, deep -k expressions, malformed and special results files, the probe
texts the validator refuses without a file: nesting, limits, a million steps;
and the acted cases: valid probes that would poison a results file, links in
Markdown, 16 MiB of empty objects, interrupts in the results lock, a
symlinked probe file, unvalidated MSG flags, a TCP connect to the probe's own
UDP port) runs in a fresh interpreter, so each peak is that case's own. Time is
the case alone (imports excluded); memory is the process's peak resident size
(ru_maxrss, or the peak working set on Windows), printed next to an idle
interpreter's peak, with the machine's load average.
Targets: 200 MB for every case; 1 s for every input refused or read (an acted
case that runs probes or writes 17 MB has its own, in the corpus). Results
files describe a fictional platform and are written to a temporary folder,
never to results/.

    python bench/bench_hostile.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers.hostile_corpus import CASES, REFUSED_TEXTS  # noqa: E402

TIME_TARGET = 1.0
MEMORY_TARGET_MB = 200.0

# Runs in the fresh interpreter: prepare, time the case, report the peak.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from helpers.hostile_corpus import CASES, REFUSED_TEXTS
from matrix.table.merge import load_and_merge
from matrix.render.to_md import render_markdown
from matrix.probe.selection import KeywordError, KeywordMatcher
from matrix.probe.validate import validate_file, validate_text
from pathlib import Path

def peak_mb():
    try:
        import resource
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024
    except ImportError:
        import psutil
        return psutil.Process().memory_info().peak_wset / 1024 / 1024

from matrix.results.read import _validator
from matrix.probe.schema import _validators, parts

# One-time costs, the same for any input: compiling the results schema and
# building the probe schema's validators. Paid here, reported separately.
warm = time.perf_counter()
_validator()
parts()
_validators()
warm = time.perf_counter() - warm
name, folder = sys.argv[2], Path(sys.argv[3])
if name == "idle":
    print(json.dumps({"seconds": warm, "peak_mb": peak_mb(), "outcome": "idle"}))
    raise SystemExit
text_case = next((c for c in REFUSED_TEXTS if "text:" + c.name == name), None)
if text_case is not None:
    text = text_case.make()
    started = time.perf_counter()
    probe, problems = validate_text(text, "hostile.yaml", "hostile")
    elapsed = time.perf_counter() - started
    outcome = problems[0].message[:70] if problems else "accepted"
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb(), "outcome": outcome}))
    raise SystemExit
case = next(c for c in CASES if c.name == name)
made = case.make(folder)
started = time.perf_counter()
if case.kind == "probe":
    probe, problems = validate_file(Path(made))
    outcome = problems[0].message[:70] if problems else "accepted"
elif case.kind == "results":
    merged = load_and_merge([Path(made)], [])
    render_markdown(merged)
    outcome = merged.skipped[0].reason[:70] if merged.skipped else "read and rendered"
elif case.kind == "act":
    outcome = case.act(made)[:70]
else:
    try:
        KeywordMatcher(made)
        outcome = "accepted"
    except KeywordError as exc:
        outcome = str(exc)[:70]
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb(), "outcome": outcome}))
"""


def measure(name: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        completed = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT / "tests"), name, folder],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=ROOT,
        )
    if completed.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "outcome": "CRASHED"}
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def load_average() -> str:
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except (AttributeError, OSError):  # Windows has none
        return "not available"


def main() -> int:
    print(f"load average (1, 5, 15 min) at the start: {load_average()}")
    idle = measure("idle")
    print(
        f"idle interpreter with sockmatrix imported: peak {idle['peak_mb']:.0f} MB; "
        f"one-time schema set-up (any input, not counted below): "
        f"{float(idle['seconds']) * 1000:.0f} ms\n"  # type: ignore[arg-type]
    )
    worst: dict[str, tuple[float, float, bool]] = {}
    print(f"{'class':<14} {'case':<44} {'time':>8} {'peak':>8}  outcome")
    named = [(c.cls, c.name, c.name, c.seconds) for c in CASES]
    named += [(c.cls, c.name, "text:" + c.name, TIME_TARGET) for c in REFUSED_TEXTS]
    for cls, name, key, target in named:
        result = measure(key)
        seconds, peak = float(result["seconds"]), float(result["peak_mb"])  # type: ignore[arg-type]
        outcome = str(result["outcome"])
        met = (
            seconds <= target
            and peak <= MEMORY_TARGET_MB
            and not outcome.startswith(("BROKEN", "CRASHED"))
        )
        print(f"{cls:<14} {name[:44]:<44} {seconds * 1000:>6.0f} ms {peak:>5.0f} MB  {outcome}")
        before = worst.get(cls, (0.0, 0.0, True))
        worst[cls] = (max(before[0], seconds), max(before[1], peak), before[2] and met)
    print(f"\n{'class':<14} {'worst time':>11} {'worst peak':>11}  targets (time per case, 200 MB)")
    failed = False
    for cls, (seconds, peak, met) in worst.items():
        failed |= not met
        print(f"{cls:<14} {seconds * 1000:>8.0f} ms {peak:>8.0f} MB  {'met' if met else 'MISSED'}")
    print(f"\nload average (1, 5, 15 min) at the end: {load_average()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
