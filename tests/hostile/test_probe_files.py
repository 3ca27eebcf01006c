"""Attacks beyond the issue's list, found by attacking the fixes again; each kept here."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from helpers.hostile_corpus import HEADER, TAIL, fictional_results

from matrix.cli import main
from matrix.engine.scenario import Engine
from matrix.files import write as results_write
from matrix.probe.validate import MAX_PROBLEMS, validate_file, validate_text
from matrix.results.document import ResultsNotWritten, ResultsWriter
from matrix.table.merge import load_and_merge

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and modes")


def refused(text: str) -> list[str]:
    started = time.perf_counter()
    probe, problems = validate_text(text, "a.yaml", "hostile")
    assert time.perf_counter() - started < 3
    assert probe is None
    return [p.message for p in problems]


def test_yaml_merge_keys_are_not_keys_a_probe_can_use() -> None:
    """``<<: *base`` would splice a mapping in; a merge key is not plain text."""
    text = "base: &b {op: close}\n" + HEADER + "extra: {<<: *b}\n" + TAIL
    assert any("keys must be text" in m for m in refused(text))


@pytest.mark.parametrize("tag", ["!!binary aGk=", "!!timestamp 2001-12-14", "!!set {a: null}"])
def test_other_yaml_types_are_refused(tag: str) -> None:
    assert any("is not allowed in a probe" in m for m in refused(HEADER + f"notes: {tag}\n" + TAIL))


def test_a_file_with_hundreds_of_problems_reports_fifty_and_a_count() -> None:
    steps = "".join(f"  - {{op: close, socket: nope{n}}}\n" for n in range(200))
    messages = refused(HEADER + "steps:\n" + steps + "verdict: [c]\n")
    assert len(messages) == MAX_PROBLEMS + 1
    assert messages[-1].endswith("more problem(s) not shown; fix these first")


def test_deeply_nested_json_results_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    merged = load_and_merge([path], [])
    assert merged.skipped and merged.skipped[0].file == str(path)


def test_engine_refuses_an_allocation_bomb_that_skipped_validation() -> None:
    steps = [{"op": "sendall", "socket": "a", "bytes": 16 * 1024 * 1024}] * 3
    result = Engine(
        {"id": "x", "sockets": [{"pair": ["a", "b"]}], "steps": steps, "verdict": []},
        lambda event: None,
    ).run()
    assert result["status"] == "harness-error"
    assert "a probe may use at most" in result["reason"]
    assert result["observations"] == []


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


def test_a_lock_that_is_held_makes_the_write_fail_cleanly_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "r.json"
    (tmp_path / "r.json.lock").mkdir()  # something else holds it (here: a folder)
    monkeypatch.setattr(results_write, "LOCK_WAIT_SECONDS", 0.3)
    monkeypatch.setattr(
        results_write,
        "locked",
        lambda target, wait=0.3, _real=results_write.locked: _real(target, wait),
    )
    writer = ResultsWriter(output)
    started = time.monotonic()
    with pytest.raises(ResultsNotWritten, match="held for over"):
        writer.add({"id": "a", "sha256": "0" * 64, "status": "ok"})
    assert time.monotonic() - started < 3
    assert not output.exists()


def test_output_that_is_a_folder_is_a_clear_message(
    write_probe: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probes = tmp_path / "probes"
    probes.mkdir()
    (probes / "p.yaml").write_text(HEADER.replace("id: hostile", "id: p") + TAIL, encoding="utf-8")
    folder = tmp_path / "out.json"
    folder.mkdir()
    assert main(["run", str(probes), "--output", str(folder)]) == 2
    assert "is a folder; sockmatrix replaces only regular files" in capsys.readouterr().err


@POSIX_ONLY
def test_a_probe_named_by_a_symlink_to_a_device_in_a_folder_is_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "probes"
    folder.mkdir()
    (folder / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(folder / "fifo.yaml")
    started = time.perf_counter()
    assert main(["validate", str(folder)]) in (0, 2)
    assert time.perf_counter() - started < 3


def test_a_results_file_cannot_send_show_to_a_file_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(HEADER.replace("title: t", "title: SECRET-TITLE") + TAIL, encoding="utf-8")
    results = tmp_path / "r.json"
    results.write_text(json.dumps(fictional_results(probes__0__file=str(secret))), encoding="utf-8")
    assert main(["show", "hostile", "--results", str(results)]) == 0
    assert "SECRET-TITLE" not in capsys.readouterr().out


def test_keys_with_bidi_overrides_are_refused() -> None:
    assert any(
        "control, format or unpaired" in m for m in refused(HEADER + '"not\\u202ees": x\n' + TAIL)
    )


def test_checked_probes_in_the_library_all_still_pass() -> None:
    from matrix.probe.selection import builtin_probe_dir

    for path in sorted(builtin_probe_dir().rglob("*.yaml")):
        probe, problems = validate_file(path)
        assert probe is not None, problems
