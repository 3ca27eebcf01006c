"""Results carry their probe's text: table, show and check work from results files alone.

Platforms are fictional and every file is written under the test's tmp_path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import observation, record, results_document, write_results

from matrix.cli import main
from matrix.probe.validate import validate_file
from matrix.results.embedded_probe import embedded_probes, probe_metadata

USER_PROBE = """\
id: users-probe
title: What my library relies on
question: Does the peer see a reset?
tags: [mine]
sources: ["recv(2), Linux man-pages"]
documented:
  linux:
    source: "recv(2), Linux man-pages"
    quote: "These calls return the number of bytes received, or -1 if an error occurred."
sockets: [{pair: [local, peer]}]
steps:
  - {op: recv, socket: peer, name: peer-recv}
verdict: [peer-recv]
assumptions:
  all:
    peer-recv: {outcome: raised, error: ECONNRESET}
"""


def embedded(title: str = "What my library relies on") -> dict[str, Any]:
    return {
        "title": title,
        "question": "Does the peer see a reset?",
        "tags": ["mine"],
        "sources": ["recv(2), Linux man-pages"],
        "documented": {
            "linux": {
                "source": "recv(2), Linux man-pages",
                "quote": "These calls return the number of bytes received.",
            }
        },
    }


def user_record(meta: Any) -> dict[str, Any]:
    rec = record("users-probe", "peer-recv: EOF", observations=[observation("peer-recv", "EOF")])
    rec["probe"] = meta
    return rec


def test_probe_metadata_holds_the_text_and_assumption_lines(write_probe: Any) -> None:
    probe, problems = validate_file(write_probe(USER_PROBE, id="users-probe"))
    assert problems == [] and probe is not None
    meta = probe_metadata(probe)
    assert meta["title"] == "What my library relies on"
    assert meta["documented"]["linux"]["source"] == "recv(2), Linux man-pages"
    assert meta["assumptions"] == [
        {
            "platform": "all",
            "step": "peer-recv",
            "expect": {"outcome": "raised", "error": "ECONNRESET"},
            "line": 16,
        }
    ]


def test_table_shows_a_users_probe_with_title_and_documentation_from_results_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_results(tmp_path, "t.json", results_document(records=[user_record(embedded())]))
    assert main(["table", str(tmp_path), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert "[What my library relies on](#probe-users-probe)" in out
    assert "linux (documented)" in out
    assert "not in library" not in out and "no longer in the library" not in out


def test_probes_option_refreshes_the_embedded_text(
    tmp_path: Path, write_probe: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_probe(
        USER_PROBE.replace("What my library", "Edited - what my library"), id="users-probe"
    )
    write_results(tmp_path / "r", "t.json", results_document(records=[user_record(embedded())]))
    assert main(["table", str(tmp_path / "r"), "--format", "md", "--probes", str(path)]) == 0
    assert "Edited - what my library relies on" in capsys.readouterr().out


def test_newest_run_gives_the_text_and_older_ones_are_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = user_record(embedded("Old title"))
    new = user_record(embedded("New title"))
    new["sha256"] = "1" * 64
    write_results(tmp_path, "a.json", results_document(os="testos", records=[old]))
    write_results(
        tmp_path,
        "b.json",
        results_document(os="fakeos", records=[new], started="2030-02-01T00:00:00+00:00"),
    )
    assert main(["table", str(tmp_path), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    assert row["title"] == "New title"
    flags = {key: cell.get("flags", []) for key, cell in row["cells"].items()}
    assert "stale" in flags["testos-1.0-x86_64-py3.11"]
    assert "stale" not in flags["fakeos-1.0-x86_64-py3.11"]


def test_old_results_without_embedded_text_fall_back_to_the_builtin_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = record("close-unread-data-resets", "close: ok (immediate)")
    write_results(tmp_path, "t.json", results_document(records=[rec]))
    assert main(["table", str(tmp_path), "--format", "md"]) == 0
    assert "close() with unread data in the receive buffer" in capsys.readouterr().out


@pytest.mark.parametrize(
    "meta",
    [
        {"title": "t", "documented": {"linux": "quote", "macos": {"source": 1}}},
        {"title": "t", "documented": {"linux": {"source": "s", "quote": "q", "expect": []}}},
        {"title": "t", "documented": {"linux": {"source": "s", "quote": "q", "expect": {"a": 1}}}},
        {"title": "t", "assumptions": [{"platform": "all", "step": "s", "expect": {"x": "y"}}]},
    ],
)
def test_odd_embedded_text_within_the_schema_never_breaks_table_check_or_show(
    tmp_path: Path, meta: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_results(tmp_path, "t.json", results_document(records=[user_record(meta)]))
    assert main(["table", str(tmp_path), "--format", "md"]) == 0
    assert main(["check", str(tmp_path)]) == 0
    assert main(["show", "users-probe", "--results", str(path)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("meta", "trail"),
    [
        ("not a mapping", "probes/0/probe"),
        ({"title": 7}, "probes/0/probe/title"),
        ({"title": "t", "documented": ["x"]}, "probes/0/probe/documented"),
        ({"title": "t", "sources": [1, "ok"]}, "probes/0/probe/sources/0"),
        ({"title": "t", "assumptions": [{"expect": {}}]}, "probes/0/probe/assumptions/0"),
    ],
)
def test_embedded_text_outside_the_schema_skips_the_file_by_name(
    tmp_path: Path, meta: Any, trail: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_results(tmp_path, "t.json", results_document(records=[user_record(meta)]))
    assert main(["check", str(tmp_path)]) == 1
    assert main(["table", str(tmp_path), "--format", "md"]) == 1
    err = capsys.readouterr().err
    assert f"t.json: skipped: does not match the results schema at {trail}" in err


def test_show_uses_the_embedded_text_and_reports_assumptions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = embedded()
    meta["assumptions"] = [
        {"platform": "all", "step": "peer-recv", "expect": {"error": "ECONNRESET"}, "line": 16}
    ]
    path = write_results(tmp_path, "t.json", results_document(records=[user_record(meta)]))
    assert main(["show", "users-probe", "--results", str(path)]) == 0
    out = capsys.readouterr().out
    assert "What my library relies on" in out
    assert "peer-recv: ECONNRESET (all, line 16): BROKEN: observed returned EOF (immediate)" in out


def test_embedded_probes_prefers_the_newest_run() -> None:
    first = results_document(records=[user_record(embedded("A"))])
    second = results_document(
        records=[user_record(embedded("B"))], started="2031-01-01T00:00:00+00:00"
    )
    assert embedded_probes([("2", second), ("1", first)])["users-probe"].data["title"] == "B"
    assert embedded_probes([("1", first), ("2", second)])["users-probe"].data["title"] == "B"


def test_old_results_keep_builtin_titles_when_other_probes_are_given(
    tmp_path: Path, write_probe: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_probe(USER_PROBE, id="users-probe")
    old = record("close-unread-data-resets", "close: ok (immediate)")
    write_results(tmp_path / "r", "t.json", results_document(records=[old, user_record({})]))
    assert main(["table", str(tmp_path / "r"), "--format", "md", "--probes", str(path)]) == 0
    out = capsys.readouterr().out
    assert "close() with unread data in the receive buffer" in out
    assert "What my library relies on" in out


def test_a_list_of_entries_runtimes_and_bites_travel_in_results_and_back() -> None:
    cited = {
        "kind": "rule",
        "source": "a specification",
        "quote": "err = EINVAL",
        "repository": "example-org/spec",
        "commit": "0" * 40,
        "path": "spec/listen.sml",
        "line": 7837,
        "os_version": "OldOS 2.4",
        "expect": {"peer-recv": {"error": "EINVAL"}},
    }
    runtime = {
        "runtime": "java",
        "effect": "shields",
        "says": "close wakes a blocked read",
        "source": "a test",
        "quote": "close wakes",
        "repository": "example-org/jdk",
        "commit": "0" * 40,
        "path": "Async.java",
        "line": 3,
    }
    bite = {
        "behaviour": "close-does-not-wake",
        "issues": [{"url": "https://github.com/python/cpython/issues/91913", "shows": "w"}],
    }
    meta = {
        **embedded(),
        "documented": {"linux": [embedded()["documented"]["linux"], cited], "x": 3},
        "runtimes": [runtime, "not an entry", {"runtime": "go"}],
        "bites": [bite, {"behaviour": 1}],
    }
    probe = embedded_probes([("r.json", results_document(records=[user_record(meta)]))])
    data = probe["users-probe"].data
    assert data["documented"] == {"linux": [embedded()["documented"]["linux"], cited]}
    assert data["runtimes"] == [runtime] and data["bites"] == [bite]


def test_a_results_file_written_before_lists_still_reads_one_entry_per_family(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Written by an earlier sockmatrix: one documented entry per family, no runtimes.
    write_results(tmp_path, "t.json", results_document(records=[user_record(embedded())]))
    assert main(["table", str(tmp_path), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)["rows"][0]
    cell = row["cells"]["linux-documented"]
    assert cell["kind"] == "documented" and cell["documented"]["source"].startswith("recv(2)")
    assert [e["kind"] for e in cell["evidence"]] == ["prose"] and row["runtimes"] == []
