"""Fuzzed probe files: every one is valid or rejected with a ``file:line`` message.

Arbitrary text, generated documents and mutated real probes, and real probes
with each hostile class dropped in (keys of every kind, .nan/.inf and
overflowing floats, 5,000-digit integers, lone surrogates, control and format
characters). Settings and seeds: helpers.fuzz (fixed seed, reproducible).
"""

from __future__ import annotations

import json
import time
from typing import Any

import yaml
from helpers.fuzz import FUZZ, FUZZ_CLASSES, REAL_TEXTS, json_values
from hypothesis import given
from hypothesis import strategies as st

from matrix.probe.validate import validate_text
from matrix.render.safe_text import for_terminal


def assert_clean_rejection_or_valid(text: str) -> None:
    probe, problems = validate_text(text, "fuzz.yaml", "fuzz")
    if probe is None:
        assert problems, "a rejected probe must say why"
    for problem in problems:
        assert problem.file == "fuzz.yaml"
        assert isinstance(problem.line, int) and problem.line >= 1, problem
        assert problem.message
        assert str(problem).startswith(f"fuzz.yaml:{problem.line}: ")


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes_the_validator(text: str) -> None:
    assert_clean_rejection_or_valid(text)


@FUZZ
@given(json_values)
def test_generated_documents_never_crash_the_validator(value: Any) -> None:
    assert_clean_rejection_or_valid(yaml.safe_dump(value))


@st.composite
def mutated_probe(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(REAL_TEXTS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "truncate", "replace", "swap"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "truncate":
            lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
        elif action == "replace":
            lines[index] = draw(st.text(max_size=30)) + "\n"
        else:
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
    return "".join(lines)


@FUZZ
@given(mutated_probe())
def test_mutations_of_real_probes_never_crash_the_validator(text: str) -> None:
    assert_clean_rejection_or_valid(text)


HOSTILE_SCALARS = st.sampled_from(
    [
        ".nan",
        ".NaN",
        ".inf",
        "-.Inf",
        "1.0e+999",
        "-1.0e+999",
        "9" * 5000,
        "-" + "1" * 4301,
        "0x" + "f" * 5000,
        '"\\ud800"',
        '"a\\udfffb"',
        '"\\e[2J\\e]0;t\\a"',
        '"\\u202e"',
        '"id\\n"',
        '"\\0"',
        "*undefined",
        "!!python/object:os.system x",
    ]
)


HOSTILE_KEYS = st.sampled_from(
    [
        "? [a, b]\n: 1",
        "? {a: 1}\n: 1",
        '"k\\n": 1',
        '"\\e[31m": 1',
        '"\\ud800": 1',
        "? &a [x, x]\n: 1\n? *a\n: 2",
        "1: 1",
        "null: 1",
        "? " + "[" * 200 + "]" * 200 + "\n: 1",
    ]
)


def clean(text: str) -> None:
    started = time.perf_counter()
    probe, problems = validate_text(text, "fuzz.yaml", "fuzz")
    assert time.perf_counter() - started < 3
    if probe is None:
        assert problems
    for problem in problems:
        assert isinstance(problem.line, int) and problem.line >= 1
        assert str(problem).startswith(f"fuzz.yaml:{problem.line}: ")
        assert len(problem.message) < 2000, "messages never echo unbounded values"
        assert for_terminal(str(problem)) == str(problem), "messages are terminal-safe"


@FUZZ_CLASSES
@given(
    text=st.sampled_from(REAL_TEXTS),
    position=st.floats(0, 1),
    scalar=HOSTILE_SCALARS,
)
def test_hostile_scalars_anywhere_in_a_real_probe(text: str, position: float, scalar: str) -> None:
    # Replace the value after a ``key: `` at a random place with the hostile scalar.
    spots = [i for i in range(len(text) - 2) if text[i : i + 2] == ": "]
    spot = spots[int(position * (len(spots) - 1))] + 2
    end = text.find("\n", spot)
    clean(text[:spot] + scalar + text[end:])


@FUZZ_CLASSES
@given(text=st.sampled_from(REAL_TEXTS), key=HOSTILE_KEYS, at_end=st.booleans())
def test_hostile_keys_in_a_real_probe(text: str, key: str, at_end: bool) -> None:
    clean(text + key + "\n" if at_end else key + "\n" + text)


@FUZZ_CLASSES
@given(
    st.text(
        alphabet=st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp", "Lu", "Nd", "Po"]),
        max_size=200,
    )
)
def test_control_and_format_characters_in_titles(title: str) -> None:
    text = REAL_TEXTS[0]
    start = text.index("title:")
    end = text.index("\n", start)
    clean(text[:start] + "title: " + json.dumps(title) + text[end:])
