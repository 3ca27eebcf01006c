"""`sockmatrix check`: broken assumptions, --same-everywhere, --summary, exit statuses.

Synthetic results of fictional platforms only (the assumptions themselves:
tests/unit/probe/test_assumptions.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import observation, record, results_document, write_results

from matrix.cli import main

ASSUMES_RESET = [
    {
        "platform": "all",
        "step": "peer-recv",
        "expect": {"outcome": "raised", "error": "ECONNRESET"},
        "line": 12,
    }
]


def probe_record(
    obs: list[dict[str, Any]], status: str = "ok", assumptions: Any = ASSUMES_RESET
) -> dict[str, Any]:
    rec = record("resets", "peer-recv: x", status=status, observations=obs)
    rec["file"] = "my-checks/resets.yaml"
    rec["probe"] = {"title": "Reset on close", "assumptions": assumptions}
    return rec


RESET = observation("peer-recv", "ECONNRESET", outcome="raised", error="ECONNRESET")
EOF_ = observation("peer-recv", "EOF")


def write_platform(folder: Path, os: str, rec: dict[str, Any]) -> Path:
    document = results_document(os=os, records=[rec])
    return write_results(folder, f"{document['platform']['key']}.json", document)


def test_check_passes_when_every_platform_keeps_the_assumption(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_platform(tmp_path, "testos", probe_record([RESET]))
    write_platform(tmp_path, "fakeos", probe_record([RESET]))
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 assumption check(s) hold on 2 platform(s)" in out


def test_check_fails_with_one_line_per_broken_assumption(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_platform(tmp_path, "testos", probe_record([RESET]))
    write_platform(tmp_path, "fakeos", probe_record([EOF_]))
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "my-checks/resets.yaml:12: resets: step 'peer-recv' on fakeos-1.0-x86_64-py3.11: "
        "assumed raised ECONNRESET, observed returned EOF (immediate)"
    ]


def test_a_probe_that_could_not_run_breaks_its_assumptions_but_skipped_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_platform(tmp_path, "testos", probe_record([], status="crashed"))
    write_platform(tmp_path, "fakeos", probe_record([], status="skipped"))
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert "on testos-1.0-x86_64-py3.11: assumed raised ECONNRESET, observed nothing: " in out[0]
    assert "the probe crashed (synthetic failure)" in out[0]


def test_a_missing_observation_is_not_taken_as_agreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_platform(tmp_path, "testos", probe_record([observation("other", "EOF")]))
    assert main(["check", str(tmp_path)]) == 1
    assert "observed nothing: the step left no observation" in capsys.readouterr().out


def test_same_everywhere_fails_on_differing_verdicts_without_assumptions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = probe_record([RESET], assumptions=[])
    second = probe_record([EOF_], assumptions=[])
    second["verdict"] = "peer-recv: EOF"
    write_platform(tmp_path, "testos", first)
    write_platform(tmp_path, "fakeos", second)
    assert main(["check", str(tmp_path)]) == 0, "differences alone never fail"
    capsys.readouterr()
    assert main(["check", str(tmp_path), "--same-everywhere"]) == 1
    line = capsys.readouterr().out.strip()
    assert line == (
        "my-checks/resets.yaml: resets: verdict differs between platforms: "
        "'peer-recv: EOF' on fakeos-1.0-x86_64-py3.11; 'peer-recv: x' on testos-1.0-x86_64-py3.11"
    )


def test_old_results_without_embedded_probes_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = record("resets", "peer-recv: EOF", observations=[EOF_])
    write_platform(tmp_path, "testos", rec)
    assert main(["check", str(tmp_path)]) == 0
    assert "no assumptions to check" in capsys.readouterr().err


def test_probes_option_replaces_the_embedded_assumptions(
    tmp_path: Path, write_probe: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_probe(
        """\
        id: resets
        title: t
        question: q
        tags: [test]
        sources: [s]
        sockets: [{pair: [local, peer]}]
        steps:
          - {op: recv, socket: peer, name: peer-recv}
        verdict: [peer-recv]
        assumptions:
          all:
            peer-recv: {summary: EOF}
        """,
        id="resets",
        folder="my-checks",
    )
    results = tmp_path / "synthetic-results"
    write_platform(results, "testos", probe_record([RESET]))
    assert main(["check", str(results), "--probes", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:12: resets: step 'peer-recv' on testos")
    assert "assumed EOF, observed raised ECONNRESET (immediate)" in out


def test_summary_is_markdown_and_escapes_results_text(tmp_path: Path) -> None:
    hostile = [dict(ASSUMES_RESET[0], step="peer-recv|<b>x</b>")]
    write_platform(tmp_path / "r", "testos", probe_record([RESET], assumptions=hostile))
    summary = tmp_path / "summary.md"
    assert main(["check", str(tmp_path / "r"), "--summary", str(summary)]) == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## sockmatrix check\n\n**1 broken assumption(s)**")
    (row,) = [line for line in text.splitlines() if "resets" in line]
    assert "<b>" not in text and row.count(" | ") == 5, row


def test_summary_says_when_everything_holds(tmp_path: Path) -> None:
    write_platform(tmp_path / "r", "testos", probe_record([RESET]))
    summary = tmp_path / "summary.md"
    assert main(["check", str(tmp_path / "r"), "--summary", str(summary)]) == 0
    assert "1 assumption check(s) on 1 platform(s): all hold." in summary.read_text("utf-8")


def test_unusable_results_file_fails_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_platform(tmp_path, "testos", probe_record([RESET]))
    (tmp_path / "cut.json").write_text('{"schema_version": 1, "pro', encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert "cut.json: skipped" in capsys.readouterr().err


def test_no_results_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    assert "no results files" in capsys.readouterr().err


def test_summary_is_bounded_and_the_log_keeps_every_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    many = [dict(ASSUMES_RESET[0], step=f"step-{i}", line=i) for i in range(250)]
    write_platform(tmp_path / "r", "testos", probe_record([RESET], assumptions=many))
    summary = tmp_path / "summary.md"
    assert main(["check", str(tmp_path / "r"), "--summary", str(summary)]) == 1
    assert len(capsys.readouterr().out.splitlines()) == 250
    text = summary.read_text(encoding="utf-8")
    assert text.count("\n| resets |") == 200
    assert "… and 50 more: every one is in the job log." in text


def test_check_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "exits 1 if there is any" in out and "--same-everywhere" in out


ASSUMES_ANY_CLOSE_ERROR = [
    {
        "platform": "all",
        "step": "peer-recv",
        "expect": {"outcome": "raised", "error": ["ECONNRESET", "ECONNABORTED"]},
        "line": 12,
    }
]


def test_a_list_of_errors_holds_when_the_observation_is_any_of_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aborted = observation("peer-recv", "ECONNABORTED", outcome="raised", error="ECONNABORTED")
    write_platform(tmp_path, "testos", probe_record([RESET], assumptions=ASSUMES_ANY_CLOSE_ERROR))
    write_platform(tmp_path, "fakeos", probe_record([aborted], assumptions=ASSUMES_ANY_CLOSE_ERROR))
    assert main(["check", str(tmp_path)]) == 0
    capsys.readouterr()
    write_platform(tmp_path, "fakeos", probe_record([EOF_], assumptions=ASSUMES_ANY_CLOSE_ERROR))
    assert main(["check", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "my-checks/resets.yaml:12: resets: step 'peer-recv' on fakeos-1.0-x86_64-py3.11: "
        "assumed raised ECONNRESET or ECONNABORTED, observed returned EOF (immediate)"
    ]


def test_a_results_path_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_platform(tmp_path, "testos", probe_record([RESET]))
    assert main(["check", str(tmp_path), str(tmp_path / "no-such-folder")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'no-such-folder'}: no such file or folder" in err


def test_broken_assumptions_come_in_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Step names sort the other way round from their lines.
    assumptions = [
        {"platform": "all", "step": "z-first", "expect": {"outcome": "raised"}, "line": 10},
        {"platform": "all", "step": "a-second", "expect": {"outcome": "raised"}, "line": 11},
    ]
    rec = probe_record(
        [observation("z-first", "EOF"), observation("a-second", "EOF")], assumptions=assumptions
    )
    write_platform(tmp_path, "testos", rec)
    assert main(["check", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[1] for line in lines] == ["10", "11"]


def test_every_table_format_marks_the_cell_that_breaks_an_assumption(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_platform(tmp_path, "testos", probe_record([RESET]))
    write_platform(tmp_path, "fakeos", probe_record([EOF_]))
    assert main(["table", str(tmp_path), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    flags = {key.split("-")[0]: cell.get("flags", []) for key, cell in row["cells"].items()}
    assert "breaks an assumption" in flags["fakeos"]
    assert "breaks an assumption" not in flags["testos"]
    legend = "breaks an assumption the probe states"
    for fmt in ("text", "md", "html"):
        assert main(["table", str(tmp_path), "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "✗" in out and legend in out, fmt
