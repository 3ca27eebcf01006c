"""`sockmatrix show`: one probe's title, question and every observation."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.probes import WriteProbe

from matrix.cli import main


def test_show_prints_every_observation(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="alpha")
    output = tmp_path / "r.json"
    main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet"])
    capsys.readouterr()
    assert main(["show", "alpha", "--results", str(output)]) == 0
    out = capsys.readouterr().out
    assert "verdict: send: 2 bytes (immediate)" in out
    assert "returned" in out and "immediate" in out
    assert main(["show", "alpah", "--results", str(output)]) == 2
    assert "did you mean 'alpha'" in capsys.readouterr().err


def test_show_finds_a_builtin_probe_in_its_area_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "r.json"
    assert (
        main(["run", "-k", "linger-zero-no-pending-data", "--output", str(output), "--quiet"]) == 0
    )
    capsys.readouterr()
    assert main(["show", "linger-zero-no-pending-data", "--results", str(output)]) == 0
    out = capsys.readouterr().out
    assert "close() with SO_LINGER {on, 0} and nothing unsent" in out
    assert "Is the close still abortive" in out


def test_show_reads_an_error_without_its_exception_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpers.synthetic import observation, record, results_document, write_results

    obs = observation("recv", "ECONNRESET", outcome="raised", error="ECONNRESET")
    del obs["error"]["exception"]  # the results schema does not require it
    write_results(
        tmp_path, "r.json", results_document(records=[record("p1", "v", observations=[obs])])
    )
    assert main(["show", "p1", "--results", str(tmp_path / "r.json")]) == 0
    assert "errno 9999 TEST_ECONNRESET → ECONNRESET" in capsys.readouterr().out


def test_show_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["show", "--help"])
    out = capsys.readouterr().out
    assert "Print one probe's title, question and every observation" in out
