"""A results file's journal: records appended between whole writes, folded in by every reader."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import ids_in, ids_in_file_alone

from matrix.files.journal import append_line, journal_path
from matrix.files.read import Unreadable
from matrix.results import journal as results_journal
from matrix.results.document import SCHEMA_VERSION, ResultsWriter, provenance
from matrix.results.journal import entry_line, fold, read_folded
from matrix.results.read import read_results


def _record(probe_id: str, status: str = "ok") -> Any:
    return {"id": probe_id, "sha256": "0" * 64, "status": status}


def _file_identity(path: Path) -> tuple[int, int, bytes]:
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns, path.read_bytes()


def test_records_after_the_first_are_appended_and_the_file_is_not_rewritten(
    tmp_path: Path,
) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add(_record("a"))
    first = _file_identity(output)
    for probe_id in ("b", "c", "d"):
        writer.add(_record(probe_id))
    assert _file_identity(output) == first, "a record costs its line, not the whole file"
    assert ids_in_file_alone(output) == ["a"]
    assert [r["id"] for r in read_results(output, SCHEMA_VERSION)["probes"]] == list("abcd")
    writer.finish()
    assert not journal_path(output).exists()
    on_disk = json.loads(output.read_text(encoding="utf-8"))
    assert [r["id"] for r in on_disk["probes"]] == list("abcd") and on_disk["complete"]
    assert all("run" not in r for r in on_disk["probes"]), "this run's own records"


def test_a_leftover_journal_is_folded_by_the_next_run_with_its_own_provenance(
    tmp_path: Path,
) -> None:
    output = tmp_path / "r.json"
    killed = ResultsWriter(output)
    killed.add(_record("a"))
    killed.add(_record("b"))  # in the journal; the run then dies without finishing
    later = ResultsWriter(output)
    later.document["started"] = "2999-01-01T00:00:00+00:00"
    later.add(_record("c"))
    assert not journal_path(output).exists(), "the whole write folded it in"
    on_disk = json.loads(output.read_text(encoding="utf-8"))
    assert [r["id"] for r in on_disk["probes"]] == ["a", "b", "c"]
    kept = {r["id"]: r.get("run") for r in on_disk["probes"]}
    assert kept["b"] == kept["a"] and kept["a"] is not None, "b keeps the first run's provenance"
    assert kept["c"] is None


def test_a_line_of_another_run_carries_that_run_and_an_older_line_never_wins(
    tmp_path: Path,
) -> None:
    document = {"started": "2026-02-01T00:00:00+00:00", "tool": {"version": "1"}, "source": {}}
    newer = {**_record("x"), "run": {"started": "2026-03-01T00:00:00+00:00"}}
    document["probes"] = [_record("own"), newer]
    older_run = {"started": "2026-01-01T00:00:00+00:00", "tool_version": "1", "source": {}}
    lines = [_record("x", "crashed"), _record("y"), _record("own")]
    folded = fold(document, [(older_run, line) for line in lines])
    by_id = {r["id"]: r for r in folded["probes"]}
    assert by_id["x"] == newer, "the file's record from a later run stays"
    assert by_id["y"]["run"] == older_run
    assert "run" not in by_id["own"], "the file's own run is later than the line's"


def test_a_line_of_the_file_own_run_replaces_its_record_as_it_is(tmp_path: Path) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add(_record("a", "crashed"))
    append_line(output, entry_line(_record("a"), provenance(writer.document)))
    (record,) = read_results(output, SCHEMA_VERSION)["probes"]
    assert record == _record("a")


def test_a_journal_folded_while_it_was_read_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add(_record("a"))
    writer.add(_record("b"))
    # Between reading the journal and the file, a whole write folded it and a new
    # journal began: its token differs, and the file already holds the lines.
    monkeypatch.setattr(results_journal, "journal_token", lambda path: "f" * 16)
    assert [r["id"] for r in read_folded(output)[1]["probes"]] == ["a"]


def test_a_journal_folded_but_not_yet_removed_changes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add(_record("a"))
    writer.add(_record("b"))
    journal = journal_path(output).read_bytes()
    writer.finish()
    journal_path(output).write_bytes(journal)  # as if the process died before removing it
    assert read_results(output, SCHEMA_VERSION) == json.loads(output.read_text(encoding="utf-8"))


def test_a_journal_line_that_is_not_a_record_makes_the_file_unreadable(tmp_path: Path) -> None:
    output = tmp_path / "r.json"
    ResultsWriter(output).add(_record("a"))
    append_line(output, b'{"run": {}, "record": {"no": "id"}}\n')
    with pytest.raises(Unreadable, match="journal line that is not a run's record"):
        read_results(output, SCHEMA_VERSION)
    assert ids_in(output) == []


def test_a_journal_past_the_size_limit_is_refused_by_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add(_record("a"))
    writer.add(_record("b"))
    monkeypatch.setattr(results_journal, "MAX_RESULTS_BYTES", output.stat().st_size + 10)
    with pytest.raises(Unreadable, match="and its journal hold"):
        read_folded(output)


def test_a_record_that_would_pass_the_limits_is_written_whole_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add(_record("a"))
    writer.add(_record("b"))
    assert journal_path(output).exists()
    both = output.stat().st_size + journal_path(output).stat().st_size
    monkeypatch.setattr(results_journal, "MAX_RESULTS_BYTES", both + 40)
    writer.add(_record("c"))
    assert not journal_path(output).exists(), "folded by a whole write"
    assert ids_in_file_alone(output) == ["a", "b", "c"]


def test_another_run_writing_in_between_makes_the_next_record_a_whole_write(
    tmp_path: Path,
) -> None:
    output = tmp_path / "r.json"
    ours, theirs = ResultsWriter(output), ResultsWriter(output)
    ours.add(_record("a"))
    theirs.add(_record("t"))  # a whole write: the file changed under ours
    ours.add(_record("b"))
    assert ids_in_file_alone(output) == ["a", "b", "t"]
    assert not journal_path(output).exists()


def test_a_journal_whose_lines_would_cost_too_much_memory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "r.json"
    writer = ResultsWriter(output)
    writer.add(_record("a"))
    append_line(output, entry_line({**_record("b"), "x": [[]] * 2000}, provenance(writer.document)))
    read_folded(output)  # within the limits as they are
    line_cost = results_journal.text_cost(journal_path(output).read_bytes())
    size = output.stat().st_size + journal_path(output).stat().st_size
    # Small enough in bytes that only the lines' own cost can pass the budget.
    monkeypatch.setattr(results_journal, "MAX_PARSE_MEMORY", line_cost - 1)
    assert size * results_journal.MAX_AMPLIFICATION > line_cost
    with pytest.raises(Unreadable, match="could take up to"):
        read_folded(output)
