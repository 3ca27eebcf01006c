"""`sockmatrix run`: the results file, the verdict table, -k, --api and exit statuses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.probes import WriteProbe, slow_probe
from helpers.processes import sockmatrix
from helpers.waiting import read_line

from matrix.cli import main


def test_run_writes_results_and_prints_the_verdict_table(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="alpha")
    output = tmp_path / "out" / "r.json"
    status = main(["run", str(tmp_path / "probes"), "--output", str(output)])
    captured = capsys.readouterr()
    assert status == 0
    assert "alpha" in captured.out and "send: 2 bytes (immediate)" in captured.out
    assert "[1/1] alpha: ok" in captured.out
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["complete"] is True
    assert [p["id"] for p in document["probes"]] == ["alpha"]


@pytest.mark.parametrize("api", ["native", "python"])
def test_run_records_its_api_and_the_python_view_has_its_own_key(
    api: str, write_probe: WriteProbe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_probe(id="alpha")
    monkeypatch.chdir(tmp_path)  # default output: results/<key>.json here
    assert main(["run", "probes", "--api", api, "--quiet"]) == 0
    [written] = list((tmp_path / "results").glob("*.json"))
    document = json.loads(written.read_text(encoding="utf-8"))
    assert document["api"] == api
    assert {p["api"] for p in document["probes"]} == {api}
    key = document["platform"]["key"]
    assert written.name == f"{key}.json"
    assert key.endswith("-py-api") == (api == "python")


def test_run_with_an_invalid_probe_reports_it_runs_the_rest_and_exits_2(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="alpha")
    write_probe("id: broken\n", id="broken")
    output = tmp_path / "r.json"
    status = main(["run", str(tmp_path / "probes"), "--output", str(output), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert "broken.yaml:1: missing required key 'title'" in err
    assert [p["id"] for p in json.loads(output.read_text(encoding="utf-8"))["probes"]] == ["alpha"]


def test_run_exits_1_when_a_probe_could_not_run(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(slow_probe("slow", seconds=5, time_limit=0.5), id="slow")
    status = main(["run", str(tmp_path / "probes"), "--output", str(tmp_path / "r.json")])
    assert status == 1
    out = capsys.readouterr().out
    assert "1 probe(s) ran: 1 timed-out; results written to" in out
    assert out.rstrip().endswith("1 probe(s) could not run: slow (timed-out)")


def test_the_run_reports_on_one_stream_in_order(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two streams reach a pipe (tox, a CI log) through two buffers and interleave
    # mid-table; the report is stdout alone, in the order it happened.
    write_probe(id="alpha")
    output = tmp_path / "r.json"
    assert main(["run", str(tmp_path / "probes"), "--output", str(output), "-n", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    said = [
        "running 1 probe(s), 1 at a time, on ",
        "[1/1] alpha: ok",
        "verdict on ",
        "send: 2 bytes (immediate)",
        f"1 probe(s) ran: 1 ok; results written to {output}",
    ]
    places = [captured.out.find(text) for text in said]
    assert -1 not in places and places == sorted(places), captured.out
    assert captured.out.count("send: 2 bytes (immediate)") == 1


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_progress_reaches_a_pipe_as_each_probe_finishes_and_before_what_stderr_says(
    write_probe: WriteProbe, tmp_path: Path
) -> None:
    write_probe(id="quick")
    write_probe(slow_probe("slow"), id="slow")
    process = subprocess.Popen(
        sockmatrix("run", str(tmp_path / "probes"), "--output", str(tmp_path / "r.json")),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one pipe, as `2>&1 | tee log` or a CI log sees it
        # Python's default for a pipe: stdout held in a block buffer.
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    assert process.stdout is not None
    assert read_line(process.stdout).startswith(b"running 2 probe(s)")
    # While the slow probe still runs: a buffered stdout would hold this line back.
    assert read_line(process.stdout).startswith(b"[1/2] quick: ok")
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == 130
    assert rest.decode().strip().startswith("interrupted: 1 of 2 probe(s) finished")


def test_k_selects_by_id_and_tag(write_probe: WriteProbe, tmp_path: Path) -> None:
    write_probe(id="alpha")
    write_probe(id="beta")
    output = tmp_path / "r.json"
    assert (
        main(
            [
                "run",
                str(tmp_path / "probes"),
                "-k",
                "alpha or nothing",
                "--output",
                str(output),
                "--quiet",
            ]
        )
        == 0
    )
    assert [p["id"] for p in json.loads(output.read_text(encoding="utf-8"))["probes"]] == ["alpha"]


def test_repeated_quiet_run_states_how_many_probes_disagreed(
    write_probe: WriteProbe,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_probe(id="alpha")
    write_probe(id="beta")
    arguments = ["run", str(tmp_path / "probes"), "--output", str(tmp_path / "r.json")]
    assert main([*arguments, "--repeat", "2", "--quiet"]) == 0
    assert "all 2 probes agreed over 2 runs" in capsys.readouterr().out

    # A probe whose runs disagree (the OS answering differently) is counted and marked.
    from matrix.runner.runner import Runner

    real_run_one = Runner.run_one
    seen: list[int] = []

    def alternating(self: Runner, probe: Any) -> Any:
        result = real_run_one(self, probe)
        if probe.id == "beta":
            seen.append(1)
            result["verdict"] = f"send: {len(seen) % 2} bytes (immediate)"
        return result

    monkeypatch.setattr(Runner, "run_one", alternating)
    assert main([*arguments, "--repeat", "2", "--quiet", "--fresh"]) == 0
    out = capsys.readouterr().out
    assert "1 of 2 probes unstable over 2 runs (their runs gave different verdicts): beta" in out
    beta_row = next(line for line in out.splitlines() if line.startswith("beta"))
    assert "ok (UNSTABLE)" in beta_row
