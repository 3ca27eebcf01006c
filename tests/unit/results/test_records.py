"""Records of repeated runs combined into one: verdict counts, the unstable flag."""

from __future__ import annotations

from matrix.results.records import combine_runs


def test_combine_runs_counts_verdicts_and_flags_disagreement() -> None:
    runs = [
        {"id": "p", "status": "ok", "verdict": v, "duration": d}
        for v, d in (("a", 0.1), ("b", 0.3), ("a", 0.2))
    ]
    record = combine_runs(runs)
    assert record["verdict"] == "a"
    assert record["repeat"] == {"runs": 3, "verdicts": {"a": 2, "b": 1}}
    assert record["unstable"] is True
    assert record["duration"] == 0.3
    steady = combine_runs(runs[:1] + runs[2:])
    assert steady["unstable"] is False
    assert combine_runs(runs[:1]) == runs[0], "a single run is recorded as it is"
