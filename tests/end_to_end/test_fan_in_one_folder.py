"""The workflow's fan-in step, simulated on a folder laid out like downloaded artifacts.

download-artifact with merge-multiple puts every leg's results file side by
side in one folder; one leg here was cut off mid-write. Platforms are fictional.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.synthetic import observation, record, results_document, write_results

from matrix.cli import main


def leg(os: str, verdict: str, run: str) -> dict[str, object]:
    return results_document(
        os=os,
        records=[
            record(
                "fan-in-probe", verdict, observations=[observation("recv", verdict.split(": ")[1])]
            )
        ],
        source={
            "run_url": f"https://github.com/example/sockmatrix/actions/runs/{run}",
            "image_os": f"{os}-image",
            "image_version": "20300101.1",
        },
    )


def test_fan_in_writes_summary_and_artifacts_and_reports_the_broken_leg(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collected = tmp_path / "collected"
    write_results(collected, "testos-1.0-x86_64-py3.12.json", leg("testos", "recv: EOF", "1"))
    write_results(collected, "fakeos-2.0-x86_64-py3.12.json", leg("fakeos", "recv: EOF", "1"))
    write_results(collected, "mockos-3.0-x86_64-py3.12.json", leg("mockos", "recv: blocked", "1"))
    whole = json.dumps(leg("cutos", "recv: EOF", "1"))
    (collected / "cutos-1.0-x86_64-py3.12.json").write_text(
        whole[: len(whole) // 2], encoding="utf-8"
    )
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier summary text\n", encoding="utf-8")

    status = main(
        ["table", str(collected), "--output-dir", str(tmp_path / "out"), "--summary", str(summary)]
    )

    assert status == 1, "a skipped results file must show in the exit status"
    assert (
        "cutos-1.0-x86_64-py3.12.json: skipped: is not valid JSON (truncated?)"
        in capsys.readouterr().err
    )
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier summary text\n"), "the summary is appended to"
    assert "**1 probes · 3 platform(s) observed · 1 row(s) where platforms differ**" in text
    assert (
        "[testos 1.0 x86\\_64 py3.11](https://github.com/example/sockmatrix/actions/runs/1)" in text
    )
    assert "could not be used" in text and "cutos" in text
    assert len(text.encode()) < 1024 * 1024
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "MATRIX.md",
        "index.html",
        "matrix.json",
    ]
    merged = json.loads((tmp_path / "out" / "matrix.json").read_text(encoding="utf-8"))
    assert merged["rows"][0]["differs"] is True
    assert len(merged["skipped"]) == 1
