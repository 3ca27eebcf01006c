"""One probe's record: what it showed, and several runs of it combined.

Rules of this module: pure functions on records as the runner makes them and
results files hold them; the runner, the table and the reports all read a
record's outcome through :func:`verdict_or_status`, so none of them imports
another for it.
"""

from __future__ import annotations

from collections import Counter

from matrix.results.document_types import Record


def verdict_or_status(record: Record) -> str:
    """What a run showed: its verdict, or its status when it could not give one."""
    return str(record.get("verdict") or record["status"])


def combine_runs(runs: list[Record]) -> Record:
    """One record for several runs of a probe.

    The record is that of a run with the most common verdict; with more than one
    run it also carries ``repeat`` (how many runs gave each verdict) and
    ``unstable`` (more than one verdict seen), like a known-intermittent test.
    """
    counts = Counter(verdict_or_status(run) for run in runs)
    most_common = counts.most_common(1)[0][0]
    record = next(run for run in runs if verdict_or_status(run) == most_common).copy()
    if len(runs) > 1:
        record["repeat"] = {"runs": len(runs), "verdicts": dict(counts.most_common())}
        record["unstable"] = len(counts) > 1
        record["duration"] = round(max(run.get("duration", 0.0) for run in runs), 3)
    return record
