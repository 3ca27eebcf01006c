"""Terminal text for one platform's run: the verdict table, how the run ended, the
stability of repeated runs, and one probe's detail.

Rules of this module: a probe whose repeated runs disagreed is never shown as
if it had one verdict: its row in the verdict table says so, with how many
runs gave what, and the run's closing summary counts such probes (``run
--repeat N --quiet`` prints no progress lines, so the summary is where a
reader learns of them).
"""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from matrix.engine.observation_types import ExceptionInfo, Observation
from matrix.language.probe_types import Probe
from matrix.results.document_types import Record

UNSTABLE_MARK = "UNSTABLE"
# The verdict column wraps at this width. Wrapped here, not with tabulate's
# maxcolwidths, which tabulate 0.8.9 (Debian 12's python3-tabulate) lacks.
VERDICT_WIDTH = 90


def _verdict_cell(record: Record) -> str:
    verdict = record.get("verdict") or record.get("reason") or ""
    if not record.get("unstable"):
        return verdict
    counts = record.get("repeat", {}).get("verdicts", {})
    runs = sum(counts.values())
    seen = " / ".join(f"{n}x {v}" for v, n in counts.items())
    return f"{UNSTABLE_MARK} ({runs} runs disagreed: {seen})"


def verdict_table(records: list[Record], platform_key: str) -> str:
    """One row per probe; a probe whose repeated runs disagreed shows every verdict seen."""
    rows = [
        [r["id"], f"{r['status']} ({UNSTABLE_MARK})" if r.get("unstable") else r["status"],
         textwrap.fill(_verdict_cell(r), VERDICT_WIDTH)]
        for r in sorted(records, key=lambda r: r["id"])
    ]  # fmt: skip
    return tabulate(
        rows, headers=["probe", "status", f"verdict on {platform_key}"], tablefmt="simple"
    )


def run_summary(records: list[Record]) -> str:
    """How many probes this run ran and how they ended, e.g. ``3 probe(s) ran: 2 ok,
    1 timed-out`` (statuses by name)."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    ended = ", ".join(f"{counts[status]} {status}" for status in sorted(counts))
    return f"{len(records)} probe(s) ran: {ended}"


def stability_summary(records: list[Record]) -> str | None:
    """How many of ``records`` (one run's, each repeated) gave more than one verdict;
    None when the probes ran once."""
    repeated = [r for r in records if "repeat" in r]
    if not repeated:
        return None
    runs = max(r["repeat"]["runs"] for r in repeated)
    unstable = sorted(r["id"] for r in repeated if r.get("unstable"))
    if not unstable:
        return f"all {len(repeated)} probes agreed over {runs} runs"
    return (
        f"{len(unstable)} of {len(repeated)} probes unstable over {runs} runs "
        f"(their runs gave different verdicts): {', '.join(unstable)}"
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
