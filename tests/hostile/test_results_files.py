"""Hostile results files: refused by name, and never a way to make `show` open another file.

Every results file here describes a fictional platform.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.hostile_corpus import HEADER, TAIL, fictional_results

from matrix.cli import main
from matrix.table.merge import load_and_merge


def test_deeply_nested_json_results_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    merged = load_and_merge([path], [])
    assert merged.skipped and merged.skipped[0].file == str(path)


def test_a_results_file_cannot_send_show_to_a_file_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(HEADER.replace("title: t", "title: SECRET-TITLE") + TAIL, encoding="utf-8")
    results = tmp_path / "r.json"
    results.write_text(json.dumps(fictional_results(probes__0__file=str(secret))), encoding="utf-8")
    assert main(["show", "hostile", "--results", str(results)]) == 0
    assert "SECRET-TITLE" not in capsys.readouterr().out


def test_show_never_opens_a_probe_file_a_results_file_points_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = fictional_results(probes__0__file="/dev/zero")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for pointed in ("/dev/zero", "../../etc/passwd.yaml", str(tmp_path / "x.yaml")):
        document["probes"][0]["file"] = pointed
        path.write_text(json.dumps(document), encoding="utf-8")
        assert main(["show", "hostile", "--results", str(path)]) == 0
    assert "hostile" in capsys.readouterr().out
