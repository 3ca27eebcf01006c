"""Terminal text for one platform's run: the verdict table and one probe's detail."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from matrix.engine.observation_types import ExceptionInfo, Observation
from matrix.language.probe_types import Probe
from matrix.results.document_types import Record

# The verdict column wraps at this width. Wrapped here, not with tabulate's
# maxcolwidths, which tabulate 0.8.9 (Debian 12's python3-tabulate) lacks.
VERDICT_WIDTH = 90


def verdict_table(records: list[Record], platform_key: str) -> str:
    rows = [
        [
            r["id"],
            r["status"],
            textwrap.fill(r.get("verdict") or r.get("reason") or "", VERDICT_WIDTH),
        ]
        for r in sorted(records, key=lambda r: r["id"])
    ]
    return tabulate(
        rows, headers=["probe", "status", f"verdict on {platform_key}"], tablefmt="simple"
    )


def describe_error(error: ExceptionInfo | None) -> str:
    """One line for an observed exception; every field may be missing in a results
    file written elsewhere."""
    if not error:
        return ""
    exception = error.get("exception", "")
    if error.get("errno") is None:
        return f"{exception} (no errno)"
    raw, portable = error.get("name"), error.get("portable")
    same = f"{raw}" if raw == portable else f"{raw} → {portable}"
    return f"{exception} errno {error['errno']} {same}"


def observation_rows(observations: list[Observation]) -> list[list[str]]:
    rows = []
    for obs in observations:
        elapsed = "" if obs.get("elapsed") is None else f"{obs['elapsed']:.3f} s"
        rows.append(
            [
                obs["name"],
                obs["op"],
                obs.get("socket") or "",
                obs.get("thread") or "main",
                obs["outcome"],
                obs.get("summary", ""),
                describe_error(obs.get("error")),
                elapsed,
                obs.get("timing", ""),
            ]
        )
    return rows


def probe_detail(record: Record, probe: Probe | None) -> str:
    lines = [f"{record['id']}  [{record['status']}]"]
    if probe is not None:
        lines += [probe["title"], "", probe["question"].strip(), ""]
    if record.get("reason"):
        lines.append(f"reason: {record['reason']}")
    lines.append(f"verdict: {record.get('verdict')}")
    lines.append("")
    lines.append(
        tabulate(
            observation_rows(record.get("observations", [])),
            headers=[
                "observation",
                "op",
                "socket",
                "thread",
                "outcome",
                "summary",
                "error",
                "elapsed",
                "timing",
            ],
        )
    )
    for note in record.get("cleanup", []):
        lines.append(f"cleanup: {note}")
    if record.get("stderr_tail"):
        lines += ["", "stderr (tail):", record["stderr_tail"]]
    return "\n".join(lines)
