"""Benchmark: the hostile corpus, worst time and memory per attack class.

Every case of tests/helpers/hostile_corpus.py (alias bombs, 5,000-digit integers,
.nan/.inf, lone surrogates, 19,900 steps, allocation bombs, trailing-newline
ids, deep -k expressions, malformed and special results files, and the probe
texts the validator refuses without a file: nesting, limits, a million steps)
runs in a fresh interpreter, so each peak is that case's own. Time is the case alone (imports
excluded); memory is the process's peak resident size (ru_maxrss, or the peak
working set on Windows), printed next to an idle interpreter's peak.
Targets: at most 1 s and 200 MB for every class. Results files describe a
fictional platform and are written to a temporary folder, never to results/.

    python bench/bench_hostile.py
"""

from __future__ import annotations

import json
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
from matrix.probe.schema import _split

# One-time costs, the same for any input: compiling the results schema and
# building the probe schema's validators. Paid here, reported separately.
warm = time.perf_counter()
_validator()
_split()
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
    return dict(json.loads(completed.stdout))


def main() -> int:
    idle = measure("idle")
    print(
        f"idle interpreter with sockmatrix imported: peak {idle['peak_mb']:.0f} MB; "
        f"one-time schema set-up (any input, not counted below): "
        f"{float(idle['seconds']) * 1000:.0f} ms\n"  # type: ignore[arg-type]
    )
    worst: dict[str, tuple[float, float, str]] = {}
    print(f"{'class':<14} {'case':<34} {'time':>8} {'peak':>8}  outcome")
    named = [(c.cls, c.name, c.name) for c in CASES]
    named += [(c.cls, c.name, "text:" + c.name) for c in REFUSED_TEXTS]
    for cls, name, key in named:
        result = measure(key)
        seconds, peak = float(result["seconds"]), float(result["peak_mb"])  # type: ignore[arg-type]
        print(
            f"{cls:<14} {name:<34} {seconds * 1000:>6.0f} ms {peak:>5.0f} MB  {result['outcome']}"
        )
        before = worst.get(cls, (0.0, 0.0, ""))
        worst[cls] = (max(before[0], seconds), max(before[1], peak), name)
    print(f"\n{'class':<14} {'worst time':>11} {'worst peak':>11}  target (1 s, 200 MB)")
    failed = False
    for cls, (seconds, peak, _) in worst.items():
        ok = seconds <= TIME_TARGET and peak <= MEMORY_TARGET_MB
        failed |= not ok
        print(f"{cls:<14} {seconds * 1000:>8.0f} ms {peak:>8.0f} MB  {'met' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
