"""`sockmatrix history --add`: one file per image version, a bounded count.

Synthetic results of fictional platforms, written in tmp only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.synthetic import verdicts_document, write_results

from matrix.cli import main


def test_history_add_keeps_one_file_per_version_and_a_bounded_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incoming = tmp_path / "incoming"
    folder = tmp_path / "history"
    for week in range(6):
        document = verdicts_document(
            "fakeos",
            {"p1": "recv: EOF"},
            started=f"2030-01-{week + 1:02d}T00:00:00+00:00",
            image=("fakeimage", f"2030{week:02d}.1"),
        )
        path = write_results(incoming, f"w{week}.json", document)
        assert main(["history", "--add", str(path), "--dir", str(folder), "--keep", "4"]) == 0
    # The same image version again replaces its file.
    newer = verdicts_document(
        "fakeos", {"p1": "x"}, image=("i", "203005.1"), started="2030-02-01T00:00:00+00:00"
    )
    again = write_results(incoming, "again.json", newer)
    capsys.readouterr()
    assert main(["history", "--add", str(again), "--dir", str(folder), "--keep", "4"]) == 0
    replaced = folder / "fakeos-1.0-x86_64-py3.11@203005.1.json"
    assert f"replaced {replaced}: an earlier run of the same platform and version" in (
        capsys.readouterr().err
    )
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"fakeos-1.0-x86_64-py3.11@2030{w:02d}.1.json" for w in (2, 3, 4, 5)]
    assert json.loads((folder / names[-1]).read_text())["probes"][0]["verdict"] == "x"


def test_history_with_nothing_archived_says_so_and_how_to_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["history"]) == 0
    err = capsys.readouterr().err
    assert "no history yet: results/history does not exist" in err.replace("\\", "/")
    assert "sockmatrix history --add results/*.json" in err
    assert main(["history", "no-such-folder"]) == 2
    assert "no-such-folder: no such file or folder" in capsys.readouterr().err
