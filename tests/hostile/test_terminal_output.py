"""Escape sequences and bidi controls in probe files, file names and results never reach
the terminal: they are shown escaped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers.hostile_corpus import fictional_results

from matrix.cli import main

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and modes")


@POSIX_ONLY
def test_escape_sequences_in_file_names_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "probes"
    folder.mkdir()
    (folder / "\x1b[2J.yaml").write_text("id: [", encoding="utf-8")
    assert main(["validate", str(folder)]) == 2
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "\x1b]0;owned\x07.json").write_text("{", encoding="utf-8")
    (bad / "good.json").write_text(json.dumps(fictional_results()), encoding="utf-8")
    main(["table", str(bad), "--format", "md", "--probes", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b[2J.yaml" in err and "\\x1b]0;owned\\x07.json: skipped" in err


def test_terminal_escapes_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], write_probe: object
) -> None:
    folder = tmp_path / "probes"
    folder.mkdir()
    (folder / "esc.yaml").write_text(
        'id: esc\ntitle: "\\e[2J\\e]0;owned\\a\\u202eevil"\nquestion: q\ntags: [x]\n'
        "sources: [s]\nsockets: [{tcp: a}]\nsteps: [{op: close, socket: a, name: c}]\n"
        "verdict: [c]\n",
        encoding="utf-8",
    )
    assert main(["list", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out
    document = fictional_results(probes__0__verdict="\x1b[31mc: ok\u202e", probes__0__id="esc")
    results = tmp_path / "r.json"
    results.write_text(json.dumps(document), encoding="utf-8")
    assert main(["show", "esc", "--results", str(results)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[31m" in out
