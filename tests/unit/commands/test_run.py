"""`sockmatrix run`: the results file, the verdict table, -k, --api and exit statuses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.probes import slow_probe

from matrix.cli import main

WriteProbe = Callable[..., Path]


def test_run_writes_results_and_prints_the_verdict_table(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="alpha")
    output = tmp_path / "out" / "r.json"
    status = main(["run", str(tmp_path / "probes"), "--output", str(output)])
    captured = capsys.readouterr()
    assert status == 0
    assert "alpha" in captured.out and "send: 2 bytes (immediate)" in captured.out
    assert "[1/1] alpha: ok" in captured.err
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
    assert "slow (timed-out)" in capsys.readouterr().err


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
