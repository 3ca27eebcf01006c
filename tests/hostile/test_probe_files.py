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
from helpers.hostile_corpus import HEADER, REFUSED_TEXTS, TAIL, RefusedText

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


def test_the_count_of_problems_not_shown_names_a_line_too() -> None:
    """Every problem is file:line; the count points at the first one it leaves out."""
    steps = "".join(f"  - {{op: close, socket: nope{n}}}\n" for n in range(200))
    text = HEADER + "steps:\n" + steps + "verdict: [c]\n"
    _probe, problems = validate_text(text, "hostile.yaml", "hostile")
    assert all(isinstance(p.line, int) and p.line >= 1 for p in problems)
    (count,) = [
        p for p in problems if p.message.endswith("more problem(s) not shown; fix these first")
    ]
    shown = {p.line for p in problems if p is not count}
    assert count.line not in shown and count.line > max(line for line in shown if line)


def test_keys_with_bidi_overrides_are_refused() -> None:
    assert any(
        "control, format or unpaired" in m for m in refused(HEADER + '"not\\u202ees": x\n' + TAIL)
    )


def timed_rejection(text: str) -> list[Any]:
    started = time.perf_counter()
    probe, problems = validate_text(text, "hostile.yaml", "hostile")
    # A hang guard: the 1 s target of each class is checked by bench/bench_hostile.py.
    assert time.perf_counter() - started < 5, "must be refused quickly (1 s idle; 5 s margin)"
    assert probe is None
    return problems


@pytest.mark.parametrize("case", REFUSED_TEXTS, ids=lambda case: case.name)
def test_hostile_probe_is_refused_quickly_with_a_clear_message(case: RefusedText) -> None:
    problems = timed_rejection(case.make())
    assert any(case.expect in p.message for p in problems), [str(p) for p in problems]
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
