"""Is a new run worth publishing? Only when a verdict or a platform changed, not the times.

(``python -m matrix.results.changed``, used by the workflow; fictional platforms.)
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from helpers.synthetic import observation, record, results_document, write_results

from matrix.results.changed import changed_files, main


def _document(verdict: str = "recv: EOF", started: str = "2030-01-01T00:00:00+00:00") -> dict:  # type: ignore[type-arg]
    obs = observation("recv", verdict.split(": ")[1])
    document = results_document(
        os="fictionalos",
        records=[record("p1", verdict, observations=[obs])],
        started=started,
        source={"run_url": "https://github.com/o/r/actions/runs/1", "commit": "a" * 40},
    )
    return document


def test_a_rerun_that_differs_only_in_time_and_urls_is_unchanged(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    first = _document()
    second = copy.deepcopy(first)
    second["started"] = second["finished"] = "2031-05-05T00:00:00+00:00"
    second["source"] = {"run_url": "https://github.com/o/r/actions/runs/2", "commit": "b" * 40}
    second["probes"][0]["duration"] = 9.9
    second["probes"][0]["observations"][0]["elapsed"] = 1.234
    write_results(old, "fictionalos.json", first)
    write_results(new, "fictionalos.json", second)
    assert changed_files(old, new) == []
    assert main([str(old), str(new)]) == 0


def test_a_new_verdict_or_a_new_platform_is_a_change(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    write_results(old, "fictionalos.json", _document("recv: EOF"))
    write_results(new, "fictionalos.json", _document("recv: ECONNRESET"))
    assert changed_files(old, new) == ["fictionalos.json"]
    write_results(new, "otheros.json", _document())
    assert changed_files(old, new) == ["fictionalos.json", "otheros.json"]
    assert main([str(old), str(new)]) == 1


def test_an_unreadable_file_counts_as_changed(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    (old / "x.json").write_text("{not json", encoding="utf-8")
    (new / "x.json").write_text("{not json", encoding="utf-8")
    assert changed_files(old, new) == ["x.json"]
    assert main(["only-one"]) == 2


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_artifact_linked_to_a_device_is_refused_unread(tmp_path: Path) -> None:
    # An artifact is untrusted: a link to an endless device must not be read at all.
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "x.json").write_text("{}", encoding="utf-8")
    (new / "x.json").symlink_to("/dev/zero")
    assert changed_files(old, new) == ["x.json"]
