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


def test_an_archive_is_compact_still_a_results_file_and_keeps_the_verdicts(
    tmp_path: Path,
) -> None:
    from helpers.synthetic import observation, record, results_document

    records = [
        record(f"p{n}", "recv: EOF", observations=[observation("recv", "EOF")] * 5)
        for n in range(20)
    ]
    for entry in records:
        entry["probe"] = {"title": "x" * 500, "sources": ["y" * 500]}
    source = results_document(os="fakeos", records=records, source={"image_version": "2030.1"})
    path = write_results(tmp_path / "run", "fakeos.json", source)
    added, skipped = history.add([path], tmp_path / "history")
    assert skipped == [] and added == ["fakeos-1.0-x86_64-py3.11@2030.1.json"]
    archived = tmp_path / "history" / added[0]
    assert archived.stat().st_size * 10 < path.stat().st_size
    entries, problems = history.load([tmp_path / "history"])
    assert problems == [] and entries[0].verdicts == {f"p{n}": "recv: EOF" for n in range(20)}


def test_a_partial_run_is_never_archived(tmp_path: Path) -> None:
    from helpers.synthetic import results_document

    path = write_results(tmp_path, "partial.json", results_document(os="fakeos", complete=False))
    added, skipped = history.add([path], tmp_path / "history")
    assert added == [] and "partial run" in skipped[0].reason


def test_history_keeps_at_most_keep_versions_per_platform(tmp_path: Path) -> None:
    for n in range(5):
        document = verdicts_document("fakeos", {"p1": "x"}, image=("img", f"2030.{n}"),
                                     started=f"2030-01-0{n + 1}T00:00:00+00:00")  # fmt: skip
        history.add([write_results(tmp_path / "runs", f"{n}.json", document)], tmp_path / "h", 3)
    kept = sorted(p.name.split("@")[1] for p in (tmp_path / "h").iterdir())
    assert kept == ["2030.2.json", "2030.3.json", "2030.4.json"]
