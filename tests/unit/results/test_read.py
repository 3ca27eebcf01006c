"""Reading a results file for what the next run needs: each probe's last duration."""

from __future__ import annotations

from pathlib import Path

from matrix.results.document import SCHEMA_VERSION, ResultsWriter
from matrix.results.read import recorded_durations


def test_durations_come_from_the_file_and_its_journal(tmp_path: Path) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add({"id": "a", "sha256": "0" * 64, "status": "ok", "duration": 1.5})
    writer.add({"id": "b", "sha256": "0" * 64, "status": "ok", "duration": 0.25})  # journal
    writer.add({"id": "c", "sha256": "0" * 64, "status": "ok"})  # no duration recorded
    assert recorded_durations(output, SCHEMA_VERSION) == {"a": 1.5, "b": 0.25}


def test_no_file_or_an_unreadable_one_gives_no_durations(tmp_path: Path) -> None:
    assert recorded_durations(tmp_path / "missing.json", SCHEMA_VERSION) == {}
    (tmp_path / "bad.json").write_text('{"half": ', encoding="utf-8")
    assert recorded_durations(tmp_path / "bad.json", SCHEMA_VERSION) == {}
