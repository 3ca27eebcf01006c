"""A user's probe folder with no special name, end to end: validate, run, table, check.

The run is real (this machine, loopback only). The second platform is synthetic,
with a fictional name, derived from the real results and written under tmp_path;
nothing goes into results/. pytest collection of such a folder is covered in
tests/end_to_end/test_pytest_plugin.py.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from helpers.synthetic import results_document

from matrix.cli import main

PROBE = """\
id: peer-sees-reset
title: My code expects a reset when unread data is discarded
question: The peer sends; this side closes without reading. What does the peer's recv see?
tags: [mine, reset]
sources: ["RFC 1122 section 4.2.2.13: https://www.rfc-editor.org/rfc/rfc1122#section-4.2.2.13"]
documented:
  linux:
    source: "Linux kernel source, net/ipv4/tcp.c, __tcp_close()"
    quote: "As outlined in RFC 2525, section 2.17, we send a RST here because data was lost."
    expect: {peer-recv: {outcome: raised, error: ECONNRESET}}
sockets:
  - pair: [local, peer]
steps:
  - {op: sendall, socket: peer, data: hello}
  - {op: sleep, seconds: 0.1}
  - {op: close, socket: local, name: close}
  - {op: recv, socket: peer, name: peer-recv, within: 2}
verdict: [close, peer-recv]
assumptions:
  all:
    close: {outcome: [returned, raised], timing: immediate}
"""


@pytest.mark.slow
def test_a_users_folder_works_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "socket-checks"
    folder.mkdir()
    (folder / "peer-sees-reset.yaml").write_text(PROBE, encoding="utf-8")
    results = tmp_path / "synthetic-and-real"

    assert main(["validate", "socket-checks"]) == 0
    assert main(["run", "socket-checks", "--output", str(results / "here.json"), "--quiet"]) == 0
    capsys.readouterr()

    assert main(["table", str(results), "--format", "md"]) == 0
    table = capsys.readouterr().out
    assert "My code expects a reset when unread data is discarded" in table
    assert "we send a RST here because data was lost" in table, "documentation travels too"

    assert main(["check", str(results)]) == 0
    assert "1 assumption check(s) hold on 1 platform(s)" in capsys.readouterr().out

    here = json.loads((results / "here.json").read_text(encoding="utf-8"))
    fictional = copy.deepcopy(here)
    fictional["platform"] = results_document(os="fakeos", version="0.1", python="3.12.0")[
        "platform"
    ]
    for obs in fictional["probes"][0]["observations"]:
        if obs["name"] == "close":
            obs.update(outcome="returned", elapsed=2.0, timing="after ~2 s")
    (results / "fakeos.json").write_text(json.dumps(fictional), encoding="utf-8")

    assert main(["check", str(results)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "socket-checks/peer-sees-reset.yaml:21: peer-sees-reset: step 'close' on "
        "fakeos-0.1-x86_64-py3.12: assumed returned or raised (immediate), observed returned ok "
        "(after ~2 s)"
    ]


@pytest.mark.slow
def test_run_reports_assumptions_broken_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "socket-checks"
    folder.mkdir()
    # close() of a connected socket returns on every OS: assuming it raises breaks here.
    text = PROBE.replace(
        "close: {outcome: [returned, raised], timing: immediate}",
        "close: {outcome: raised, error: ECONNRESET}",
    )
    (folder / "peer-sees-reset.yaml").write_text(text, encoding="utf-8")
    status = main(["run", "socket-checks", "--output", str(tmp_path / "r.json"), "--quiet"])
    assert status == 0, "run reports; check is the gate"
    out = capsys.readouterr().out  # after the verdict table, on its stream
    assert "socket-checks/peer-sees-reset.yaml:21: peer-sees-reset: step 'close' on " in out
    assert "assumed raised ECONNRESET, observed returned ok (immediate)" in out
    assert "1 assumption(s) broken here; `sockmatrix check` exits 1 on them" in out


@pytest.mark.slow
def test_check_says_when_the_probe_file_changed_or_is_gone_since_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "socket-checks"
    folder.mkdir()
    probe = folder / "peer-sees-reset.yaml"
    probe.write_text(PROBE.replace("outcome: [returned, raised]", "outcome: raised"), "utf-8")
    assert main(["run", "socket-checks", "--output", "r/here.json", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["check", "r"]) == 1
    assert "changed since" not in capsys.readouterr().err

    # The user fixes the assumption: check still reads the run's, and says why.
    probe.write_text(PROBE, "utf-8")
    assert main(["check", "r"]) == 1
    err = capsys.readouterr().err
    assert "socket-checks/peer-sees-reset.yaml: changed since these results were written" in err
    assert "sockmatrix check --probes socket-checks/peer-sees-reset.yaml" in err
    assert main(["check", "r", "--probes", "socket-checks"]) == 0

    probe.rename(folder / "renamed.yaml")
    assert main(["check", "r"]) == 1
    assert "socket-checks/peer-sees-reset.yaml: no longer exists" in capsys.readouterr().err
