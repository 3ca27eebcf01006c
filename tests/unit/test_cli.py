"""The command line: run, show, list, exit statuses, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.probes import MINIMAL_PROBE

from matrix.cli import build_parser, main
from matrix.probe.selection import KeywordError, KeywordMatcher

MINIMAL = MINIMAL_PROBE.format(id="arrow")

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
    write_probe(
        """\
        id: slow
        title: t
        question: q
        tags: [test]
        sources: [s]
        time_limit: 0.5
        sockets: [{tcp: s}]
        steps: [{op: sleep, seconds: 5}, {op: close, socket: s, name: c}]
        verdict: [c]
        """,
        id="slow",
    )
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


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("alpha", True),
        ("not alpha", False),
        ("close and alpha", True),
        ("close and not alpha", False),
        ("(beta or close) and alph", True),
        ("beta", False),
    ],
)
def test_keyword_expressions(expression: str, expected: bool) -> None:
    assert KeywordMatcher(expression).matches("alpha", ["close"]) is expected


@pytest.mark.parametrize("expression", ["", "and", "(alpha", "alpha or", "alpha )"])
def test_bad_keyword_expressions_are_usage_errors(expression: str) -> None:
    with pytest.raises(KeywordError):
        KeywordMatcher(expression)


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


def test_list_shows_the_builtin_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--tag", "linger"]) == 0
    out = capsys.readouterr().out
    assert "linger-nonblocking-close" in out
    assert "close-wakes-blocked-recv" not in out


def test_every_command_has_help() -> None:
    parser = build_parser()
    for command in ("run", "validate", "show", "list"):
        with pytest.raises(SystemExit) as exited:
            parser.parse_args([command, "--help"])
        assert exited.value.code == 0


def test_python_dash_m_matrix_works() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "matrix", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("sockmatrix ")


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


def test_output_closed_early_is_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sockmatrix list | head`: the reader goes away and writes fail with EPIPE.
    # Simulated, because some kernels (this sandbox's) silently drop such writes.
    target = (tmp_path / "stdout").open("w", encoding="utf-8")

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            pass

        def fileno(self) -> int:
            return target.fileno()

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["list"]) == 0
    os.write(target.fileno(), b"after the pipe broke")  # now goes to the null device
    target.close()
    assert (tmp_path / "stdout").read_text(encoding="utf-8") == ""


def test_report_survives_a_stdout_that_cannot_encode_it(
    write_probe: WriteProbe, tmp_path: Path
) -> None:
    # What Windows gives a program whose output goes to a pipe: cp1252, no "→".
    write_probe(MINIMAL.replace("A minimal probe", "close() → RST"), id="arrow")
    done = subprocess.run(
        [sys.executable, "-m", "matrix", "list", str(tmp_path / "probes")],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"},
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    assert done.returncode == 0
    assert b"close() \\u2192 RST" in done.stdout


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
