"""`sockmatrix table`: --only and --only-differences, skipped files, --readme, exit statuses.

Fictional platforms only, written in tmp."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from helpers.synthetic import observation, record, results_document, write_results
from helpers.tables import (
    WriteProbe,
    recv_close_document,
    recv_close_probe_maker,
    recv_document,
    three_kinds_matrix,
)

from matrix.cli import main
from matrix.probe.model import ProbeFile
from matrix.table.merge import Matrix
from matrix.tools.matrix_schema import matrix_schema


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


@pytest.fixture
def probe(write_probe: WriteProbe) -> Callable[..., ProbeFile]:
    return recv_close_probe_maker(write_probe)


@pytest.fixture
def three_kinds(write_probe: WriteProbe) -> Matrix:
    return three_kinds_matrix(recv_close_probe_maker(write_probe))


def test_table_only_option_filters_rows(
    three_kinds: Matrix, tmp_path: Path, probe: Callable[..., ProbeFile]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    probes = [probe("p-doc", "gammaos")]
    for name, summary in (("a", "blocked"), ("b", "blocked")):
        document = recv_close_document(f"{name}os", {"p-doc": summary}, probes)
        (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "out.md"
    args = ["table", str(folder), "--probes", str(tmp_path / "probes"), "--output", str(out)]
    assert main([*args, "--only", "documented"]) == 0
    assert "Probe p-doc" in out.read_text(encoding="utf-8")
    assert main([*args, "--only", "differs"]) == 0
    assert "Probe p-doc" not in out.read_text(encoding="utf-8")


def test_table_command_reports_skipped_files_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_results(tmp_path / "in", "good.json", recv_document("testos", {"p1": "recv: EOF"}))
    (tmp_path / "in" / "broken.json").write_text("{", encoding="utf-8")
    out = tmp_path / "m.json"
    status = main(["table", str(tmp_path / "in"), "--output", str(out)])
    assert status == 1
    assert "broken.json: skipped: is not valid JSON" in capsys.readouterr().err
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, matrix_schema())
    assert document["skipped"][0]["file"].endswith("broken.json")


def test_empty_results_directory_gives_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["table", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "no results files in" in err and "sockmatrix run" in err


def test_readme_update_replaces_only_the_marked_block(tmp_path: Path) -> None:
    write_results(tmp_path / "in", "a.json", recv_document("testos", {"p1": "recv: EOF"}))
    readme = tmp_path / "README.md"
    readme.write_text(
        "intro\n<!-- BEGIN sockmatrix table -->\nold\n<!-- END sockmatrix table -->\noutro\n",
        encoding="utf-8",
    )
    args = ["table", str(tmp_path / "in"), "--readme", str(readme)]
    assert main([*args, "--check"]) == 1
    assert main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n<!-- BEGIN sockmatrix table -->\n**")
    assert text.endswith("<!-- END sockmatrix table -->\noutro\n")
    assert "old" not in text and "1 platform(s) observed" in text
    # One platform: no finding, and the brief says where everything else is.
    assert "No finding yet. Every probe and verdict: [results/MATRIX.md]" in text
    assert main([*args, "--check"]) == 0


def test_the_readme_brief_holds_only_the_rows_that_differ_with_letters(tmp_path: Path) -> None:
    write_results(
        tmp_path / "in", "a.json", recv_document("testos", {"p1": "recv: EOF", "p2": "x: 1"})
    )
    write_results(
        tmp_path / "in", "b.json", recv_document("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"})
    )
    readme = tmp_path / "README.md"
    readme.write_text("<!-- BEGIN sockmatrix table -->\n<!-- END sockmatrix table -->\n", "utf-8")
    assert main(["table", str(tmp_path / "in"), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "The 1 probe(s) where observed platforms differ" in text
    # p1 and p2 are in no library here: the cells carry the "?" flag, and its legend.
    assert "(results/MATRIX.md#probe-p1) | A ? | B ? |" in text
    assert "?: the probe is no longer in the library." in text
    assert "#probe-p2" not in text, "a row where every platform agrees stays in MATRIX.md"
    assert "ECONNRESET" not in text, "verdicts are one link away"


def test_readme_without_markers_is_a_usage_error(tmp_path: Path) -> None:
    write_results(tmp_path / "in", "a.json", recv_document("testos", {"p1": "recv: EOF"}))
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n", encoding="utf-8")
    assert main(["table", str(tmp_path / "in"), "--readme", str(readme)]) == 2
