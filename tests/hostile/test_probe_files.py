"""Hostile probe files: refused quickly, with a clear ``file:line`` message, never a crash.

YAML features a probe cannot use (merge keys, other types, bidi in keys),
nesting and expansion bombs, limits far past their bound, ids that look like
paths, and files with hundreds of problems.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from helpers.hostile_corpus import HEADER, TAIL

from matrix.probe.validate import MAX_PROBLEMS, validate_text


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


def test_keys_with_bidi_overrides_are_refused() -> None:
    assert any(
        "control, format or unpaired" in m for m in refused(HEADER + '"not\\u202ees": x\n' + TAIL)
    )


def timed_rejection(text: str) -> list[Any]:
    started = time.perf_counter()
    probe, problems = validate_text(text, "hostile.yaml", "hostile")
    assert time.perf_counter() - started < 5, "must be refused quickly (1 s idle; 5 s margin)"
    assert probe is None
    return problems


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 10)}]\n" for c in "bcdefghij"
            ),
            "document expands to more than",
        ),
        ("[" * 50_000, "more than 100 nested brackets"),
        ("".join("  " * i + "k:\n" for i in range(400)), "indented more than 200 columns"),
        ("".join("  " * i + "k:\n" for i in range(60)), "nested deeper than 32"),
        ("- " * 100_000 + "x", "more than 200 of '-', '?' and ':' on one line"),
        (
            HEADER + "steps: [{op: send, socket: a, bytes: 1099511627776, name: s}]\n"
            "verdict: [s]\n",
            "is above the limit of",
        ),
        (
            HEADER + "steps: [{op: sleep, seconds: 31536000}, {op: close, socket: a, name: c}]\n"
            "verdict: [c]\n",
            "is above the limit of 30",
        ),
        (
            HEADER + "time_limit: 31536000\nsteps: [{op: close, socket: a, name: c}]\n"
            "verdict: [c]\n",
            "is above the limit of 120",
        ),
        (
            HEADER
            + "steps:\n"
            + "".join(f"  - {{op: recv, socket: a, thread: t{i}}}\n" for i in range(9))
            + "  - {op: close, socket: a, name: c}\nverdict: [c]\n",
            "at most 8",
        ),
        (
            HEADER + "steps:\n" + "  - {op: close, socket: a}\n" * 1_000_000 + "verdict: [c]\n",
            "the limit is",
        ),
        (
            HEADER.replace("id: hostile", "id: ../../etc/passwd")
            + "steps: [{op: close, socket: a, name: c}]\nverdict: [c]\n",
            "does not match",
        ),
    ],
    ids=[
        "alias-bomb",
        "deep-flow",
        "deep-block",
        "deep-block-within-the-indent-limit",
        "deep-block-on-one-line",
        "terabytes",
        "a-year",
        "long-limit",
        "too-many-threads",
        "a-million-steps",
        "id-with-path",
    ],
)
def test_hostile_probe_is_refused_quickly_with_a_clear_message(text: str, message: str) -> None:
    problems = timed_rejection(text)
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    assert all(p.line for p in problems)


def test_an_id_can_never_steer_where_results_are_written(tmp_path: Path) -> None:
    # Results files are named by the platform key, never by a probe id, and an id
    # can only be lower-case letters, digits and dashes equal to its file name.
    from matrix.results.document import default_results_path

    assert default_results_path(tmp_path).parent == tmp_path
    for hostile in ("../x", "a/b", "..", "a\\b", "C:x"):
        _, problems = validate_text(
            HEADER.replace("id: hostile", f"id: '{hostile}'")
            + "steps: [{op: close, socket: a, name: c}]\n"
            "verdict: [c]\n",
            "f.yaml",
            hostile,
        )
        assert any(p.path == ("id",) for p in problems), hostile
