"""The history view: verdict ranges per image version and the changes between versions.

Synthetic results of fictional platforms, written in tmp only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.synthetic import verdicts_document, write_results

from matrix.cli import main
from matrix.table import history


def test_history_ranges_and_changes_between_consecutive_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "history"
    verdicts = ["A", "A", "B", "B", "B", "A"]
    for n, verdict in enumerate(verdicts):
        for image in ("imgx", "imgy"):
            document = verdicts_document(
                "fakeos",
                {"p1": f"recv: {verdict}", "p2": "same"},
                version=f"{n}.0",
                started=f"2030-01-{n + 1:02d}T00:00:00+00:00",
                image=(image, f"2030.{n + 1}"),
            )
            write_results(folder, f"{image}-{n}.json", document)
    entries, skipped = history.load([folder])
    assert skipped == []
    table = history.ranges(entries)
    spans = table["p1"]["fakeos x86_64 py3.11 (imgx)"]
    assert [(r.first, r.last, r.verdict, r.runs, r.changed) for r in spans] == [
        ("2030.1", "2030.2", "recv: A", 2, False),
        ("2030.3", "2030.5", "recv: B", 3, True),
        ("2030.6", "2030.6", "recv: A", 1, True),
    ]
    assert [len(s) for s in table["p2"].values()] == [1, 1]
    assert main(["history", str(folder), "--changes-only"]) == 0
    out = capsys.readouterr().out
    assert "p2" not in out
    assert "    changed 2030.3 to 2030.5  (3 run(s))  recv: B (was: recv: A)" in out
    assert main(["history", str(folder), "--format", "md", "--probe", "p1"]) == 0
    md = capsys.readouterr().out
    assert (
        "| p1 | fakeos x86\\_64 py3.11 (imgy) | **changed** 2030.6 | 1 | recv: A (was: recv: B) |"
    ) in md


def test_history_versions_sort_numerically(tmp_path: Path) -> None:
    folder = tmp_path / "h"
    for n, version in enumerate(["2030.10", "2030.9", "2030.100"]):
        document = verdicts_document("fakeos", {"p1": f"v{version}"}, image=("img", version),
                        started=f"2030-01-0{n + 1}T00:00:00+00:00")  # fmt: skip
        write_results(folder, f"{n}.json", document)
    entries, _ = history.load([folder])
    spans = history.ranges(entries)["p1"]["fakeos x86_64 py3.11 (img)"]
    assert [r.first for r in spans] == ["2030.9", "2030.10", "2030.100"]
