"""Small CLI promises: an empty difference table says so; show --help describes show."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.synthetic import observation, record, results_document, write_results

from matrix.cli import main


def same_everywhere(folder: Path) -> None:
    for os in ("testos", "fakeos"):
        rec = record("p", "recv: EOF (immediate)", observations=[observation("recv", "EOF")])
        write_results(folder, f"{os}.json", results_document(os=os, records=[rec]))


def test_only_differences_with_nothing_to_show_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same_everywhere(tmp_path)
    assert main(["table", str(tmp_path), "--only-differences", "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        "no differences: all 1 probe(s) gave the same verdict on the 2 observed platform(s)"
    )


def test_only_differences_to_a_file_still_writes_it_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same_everywhere(tmp_path / "r")
    output = tmp_path / "diff.md"
    status = main(["table", str(tmp_path / "r"), "--only-differences", "--output", str(output)])
    assert status == 0 and output.exists()
    assert "no differences: all 1 probe(s)" in capsys.readouterr().err
