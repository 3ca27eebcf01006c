"""Fuzzers that generate the hostile classes themselves, not just random text.

Keys of every kind (collections, aliases, control characters), .nan/.inf and
overflowing floats, 5,000-digit integers, lone surrogates and control
characters, dropped into real probes at random places; the same classes in
results files; and results paths that are special files. Fixed seed
(derandomize) so CI is reproducible.
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any

import pytest
from helpers.synthetic import observation, record, results_document
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from matrix.probe.selection import builtin_probe_dir
from matrix.probe.validate import validate_file, validate_text
from matrix.render.safe_text import for_terminal
from matrix.table.merge import load_and_merge

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
REAL_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(builtin_probe_dir().rglob("*.yaml"))]

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


@FUZZ
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


@FUZZ
@given(text=st.sampled_from(REAL_TEXTS), key=HOSTILE_KEYS, at_end=st.booleans())
def test_hostile_keys_in_a_real_probe(text: str, key: str, at_end: bool) -> None:
    clean(text + key + "\n" if at_end else key + "\n" + text)


@FUZZ
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


hostile_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(categories=["Cs", "Cc", "Cf", "Ll"]), max_size=10)
    # Each class also as a value of its own, so every run is sure to meet it.
    | st.sampled_from([math.nan, math.inf, -math.inf, 10**50, "\ud800", "\x1b[2J", "\u202e"]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)
FIELDS = [
    ("platform", "os_version"),
    ("platform", "key"),
    ("started",),
    ("probes", 0, "verdict"),
    ("probes", 0, "duration"),
    ("probes", 0, "observations", 0, "elapsed"),
    ("probes", 0, "observations", 0, "name"),
    ("probes", 0, "repeat"),
    ("source",),
]


@FUZZ
@given(field=st.sampled_from(FIELDS), value=hostile_json, huge=st.booleans())
def test_hostile_values_in_results_files_are_read_or_refused_by_name(
    field: tuple[Any, ...], value: Any, huge: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    document = results_document(
        os="fuzzos",
        records=[record("p1", "recv: EOF (immediate)", observations=[observation("recv", "EOF")])],
    )
    target: Any = document
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = value
    text = json.dumps(document)  # NaN and Infinity as JSON writers emit them
    if huge:
        text = text.replace('"schema_version": 1', '"schema_version": 1' + "0" * 5000, 1)
    path = tmp_path_factory.mktemp("fuzz") / "r.json"
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    started = time.perf_counter()
    merged = load_and_merge([path], [])
    assert time.perf_counter() - started < 3
    if merged.skipped:
        assert merged.skipped[0].file == str(path) and merged.skipped[0].reason
    else:
        assert merged.columns


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
@FUZZ
@given(kind=st.sampled_from(["fifo", "zero", "null", "dir", "dangling", "loop"]))
def test_special_files_as_probe_or_results_paths(
    kind: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("special")
    path = folder / "p.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        path.mkdir()
    elif kind == "dangling":
        path.symlink_to(folder / "missing")
    elif kind == "loop":
        path.symlink_to(path)
    else:
        path.symlink_to("/dev/zero" if kind == "zero" else "/dev/null")
    started = time.perf_counter()
    probe, problems = validate_file(path)
    assert probe is None and problems and problems[0].file == str(path)
    merged = load_and_merge([path], [])
    assert merged.skipped and merged.skipped[0].file == str(path)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "claim",
    [
        lambda v: isinstance(v, float) and math.isnan(v),
        lambda v: isinstance(v, float) and math.isinf(v),
        lambda v: isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**40,
        lambda v: isinstance(v, str) and any("\ud800" <= c <= "\udfff" for c in v),
        lambda v: isinstance(v, str) and any(ord(c) < 32 for c in v),
        lambda v: (isinstance(v, str) and "\u202e" in v) or (isinstance(v, str) and "\u200b" in v),
    ],
    ids=["nan", "inf", "huge-int", "surrogate", "control", "format-char"],
)
def test_the_results_fuzzer_generates_each_class(claim: Any) -> None:
    """The strategy above really produces each hostile class, not only benign values."""
    find(hostile_json, claim, settings=settings(max_examples=5_000, database=None))
