"""Fuzzed results files: every one is read and rendered, or skipped by name; never a crash.

Mutations of a valid file, and each hostile class (NaN, infinities, huge
integers, surrogates, control and format characters) at chosen fields; the
generator is checked to produce each class. Fictional platforms only.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import pytest
from helpers.fuzz import FUZZ, FUZZ_CLASSES, json_values
from helpers.synthetic import observation, record, results_document
from hypothesis import find, given, settings
from hypothesis import strategies as st

from matrix.render.to_html import render_html
from matrix.render.to_md import render_markdown
from matrix.render.to_text import render_text
from matrix.table.merge import load_and_merge, load_results, merge

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


@FUZZ_CLASSES
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


def valid_results_text() -> str:
    return json.dumps(
        results_document(
            records=[
                record("p1", "recv: EOF (immediate)", observations=[observation("recv", "EOF")])
            ]
        )
    )


@FUZZ
@given(data=st.data())
def test_mutated_results_files_are_read_or_refused_never_crash(
    data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = valid_results_text()
    cut = data.draw(st.integers(0, len(text)))
    insert = data.draw(st.text(max_size=20))
    mutated = data.draw(
        st.sampled_from(
            [
                text[:cut],
                text[:cut] + insert + text[cut:],
                text.replace('"ok"', data.draw(json_values.map(json.dumps)), 1),
            ]
        )
    )
    path = tmp_path_factory.mktemp("fuzz") / "r.json"
    path.write_text(mutated, encoding="utf-8")
    loaded = load_results(path)
    if isinstance(loaded, dict):
        merged = merge([("r.json", loaded)], [])
        render_markdown(merged)
        render_html(merged)
        render_text(merged)
    else:
        assert str(path) in str(loaded) and loaded.reason
