"""The run's terminal report: unstable probes are marked in the verdict table and counted in
the closing summary, which also counts the run's probes by how they ended."""

from __future__ import annotations

from typing import Any

from matrix.render.run_report import run_summary, stability_summary, verdict_table
from matrix.results.records import combine_runs


def record(probe: str, verdict: str) -> Any:
    return {"id": probe, "status": "ok", "verdict": verdict}


def test_a_probe_whose_runs_disagreed_is_marked_with_every_verdict_seen() -> None:
    flaky = combine_runs([record("flaky", "a: 1 (immediate)")] * 3 + [record("flaky", "a: 2")] * 2)
    steady = combine_runs([record("steady", "b: ok (immediate)")] * 5)
    table = verdict_table([flaky, steady], "fakeos-1-x86_64-py3.12")
    flaky_row = next(line for line in table.splitlines() if line.startswith("flaky"))
    assert "ok (UNSTABLE)" in flaky_row
    assert "UNSTABLE (5 runs disagreed: 3x a: 1 (immediate) / 2x a: 2)" in table
    steady_row = next(line for line in table.splitlines() if line.startswith("steady"))
    assert "UNSTABLE" not in steady_row and "b: ok (immediate)" in steady_row


def test_the_summary_counts_unstable_probes_or_says_all_agreed() -> None:
    steady = [combine_runs([record(p, "x: ok (immediate)")] * 5) for p in ("p1", "p2", "p3")]
    assert stability_summary(steady) == "all 3 probes agreed over 5 runs"
    flaky = combine_runs([record("p0", "x: 1"), record("p0", "x: 2")] * 2 + [record("p0", "x: 1")])
    assert stability_summary([*steady, flaky]) == (
        "1 of 4 probes unstable over 5 runs (their runs gave different verdicts): p0"
    )
    assert stability_summary([record("once", "x")]) is None  # probes that ran once


def test_the_closing_summary_counts_this_runs_probes_by_status() -> None:
    records: Any = [{"status": s} for s in ("timed-out", "ok", "ok", "crashed")]
    assert run_summary(records) == "4 probe(s) ran: 1 crashed, 2 ok, 1 timed-out"
