"""Assumptions: which entry applies on a platform, what breaks one, how it reads, its validation."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.synthetic import observation, record

from matrix.probe.assumptions import Assumption, applicable, broken_assumptions, describe
from matrix.probe.validate import validate_file

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


def test_a_family_entry_replaces_all_for_that_step_only() -> None:
    assumptions = [
        Assumption("all", "a", {"error": "ECONNRESET"}, 3),
        Assumption("all", "b", {"summary": "EOF"}, 4),
        Assumption("testos", "a", {"error": "ECONNABORTED"}, 6),
    ]
    chosen = {a.step: a.line for a in applicable(assumptions, "testos")}
    assert chosen == {"a": 6, "b": 4}
    assert {a.step: a.line for a in applicable(assumptions, "fakeos")} == {"a": 3, "b": 4}


def test_broken_assumptions_compares_only_the_fields_given() -> None:
    rec = probe_record([RESET], assumptions=[])
    only_outcome = [Assumption("all", "peer-recv", {"outcome": "raised"}, 1)]
    assert broken_assumptions(rec, "testos", "k", only_outcome) == []
    timing = [Assumption("all", "peer-recv", {"timing": "after ~2 s"}, 1)]
    (broken,) = broken_assumptions(rec, "testos", "k", timing)
    assert broken.assumed == "timing after ~2 s"
    assert broken.observed == "raised ECONNRESET (immediate)"


def test_describe_uses_the_verdicts_words() -> None:
    assert describe({"outcome": "blocked", "summary": "blocked", "timing": "blocked"}) == "blocked"
    assert describe({"summary": "EOF", "timing": "immediate"}) == "EOF (immediate)"
    assert describe({}) == "anything"


ASSUMING_PROBE = """\
id: p
title: t
question: q
tags: [test]
sources: [s]
sockets: [{pair: [local, peer]}]
steps:
  - {op: recv, socket: peer, name: peer-recv}
verdict: [peer-recv]
assumptions:
"""


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "  all:\n    peer-recb: {error: ECONNRESET}\n",
            12,
            "assumptions → all → peer-recb → no step named 'peer-recb' (did you mean 'peer-recv'?)",
        ),
        (
            "  linx:\n    peer-recv: {error: ECONNRESET}\n",
            12,
            "assumptions → linx → unknown platform family 'linx' (did you mean 'linux'?); "
            "use one of: all, linux, gvisor, wsl1, windows, macos, freebsd, openbsd, netbsd, "
            "illumos",
        ),
        (
            "  all:\n    peer-recv: {eror: ECONNRESET}\n",
            12,
            "assumptions → all → peer-recv → eror → unknown key (did you mean 'error'?)",
        ),
        (
            "  all:\n    peer-recv: {outcome: reset}\n",
            12,
            "assumptions → all → peer-recv → outcome → 'reset' is not one of "
            "'returned', 'raised', 'blocked'",
        ),
        ("  all: {}\n", 11, "assumptions → all → {} should be non-empty"),
    ],
)
def test_assumption_validation_messages(
    write_probe: Any, body: str, line: int, message: str
) -> None:
    path = write_probe(ASSUMING_PROBE + body, id="p")
    probe, problems = validate_file(path)
    assert probe is None
    assert [(p.line, str(p).split(": ", 1)[1]) for p in problems] == [(line, message)]
