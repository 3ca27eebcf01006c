"""Fuzzed results files: every one is read and rendered, or skipped by name; never a crash.

Mutations of a valid file, and each hostile class (NaN, infinities, huge
integers, surrogates, control and format characters) at chosen fields; the
generator is checked to produce each class. Schema-valid mutants (a rich file
with parts taken away or replaced, kept only while the schema accepts it) go
through every reader: table in every format, the job summary, show, check,
diff and history. Fictional platforms only.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import time
from typing import Any

import pytest
from helpers.fuzz import FUZZ, FUZZ_CLASSES, json_values, key_paths
from helpers.synthetic import observation, record, results_document
from hypothesis import find, given, reject, settings
from hypothesis import strategies as st

from matrix.cli import main
from matrix.render.job_summary import job_summary
from matrix.render.to_html import render_html
from matrix.render.to_json import render_json
from matrix.render.to_md import render_markdown
from matrix.render.to_text import render_text
from matrix.results.read import Unreadable, check_document
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


def rich_results() -> dict[str, Any]:
    """A valid results file with every optional field present, to take parts away from."""
    error = {"exception": "OSError", "errno": 104, "name": "ECONNRESET", "portable": "ECONNRESET",
             "message": "reset"}  # fmt: skip
    first = {**observation("recv", "EOF"), "error": error}
    rec = record("p1", "recv: EOF (immediate)", observations=[first, observation("close", "ok")])
    rec.update(
        repeat={"runs": 3, "verdicts": {"recv: EOF (immediate)": 2, "recv: x (immediate)": 1}},
        unstable=True,
        overhead=0.01,
        stderr_tail="tail",
        run={"started": "2029-01-01T00:00:00+00:00", "tool_version": "0.0.1", "source": {}},
        probe={
            "title": "t",
            "question": "q",
            "tags": ["x"],
            "sources": ["https://example.invalid/s"],
            "notes": "n",
            "documented": {
                "fuzzos": {"source": "s", "quote": "q", "expect": {"recv": {"summary": "EOF"}}},
                "otheros": {"source": "s", "quote": "q", "expect": {"recv": {"error": "EAGAIN"}}},
            },
            "assumptions": [
                {"platform": "all", "step": "recv", "expect": {"summary": "EOF"}, "line": 3}
            ],
        },
    )
    document = results_document(os="fuzzos", records=[rec, record("p2", None, "crashed")])
    document["source"] = {"run_url": "https://example.invalid/run", "commit": "abc"}
    document["api"] = "python"
    document["platform"].update(stack="XNU", os_api="Linux", libc="glibc", image_os="img")
    return document


REPLACEMENTS = st.sampled_from(
    [None, True, False, 0, -1, 2**40, 0.0, 1e300, "", "x" * 4096, "EOF", [], {}, [{}], {"": ""},
     "ok", "skipped", "harness-error", "blocked", "raised", "returned", "not-reached"]
)  # fmt: skip


@st.composite
def schema_valid_mutants(draw: st.DrawFn) -> dict[str, Any]:
    """A valid file with a few parts taken away or replaced, kept only if the results
    schema still accepts it: what every reader must handle without a crash."""
    document = rich_results()
    for _ in range(draw(st.integers(1, 4))):
        paths = key_paths(document)
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(draw(REPLACEMENTS))
    try:
        check_document(json.loads(json.dumps(document)), 1)
    except Unreadable:
        reject()
    return document


@FUZZ
@given(document=schema_valid_mutants())
def test_every_reader_takes_schema_valid_mutants_without_a_crash(
    document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("valid-mutant")
    path = folder / "fuzzos.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    other = results_document(os="otheros", records=[record("p1", "recv: EOF (immediate)")])
    (folder / "otheros.json").write_text(json.dumps(other), encoding="utf-8")
    merged = load_and_merge(sorted(folder.glob("*.json")), [])
    assert not merged.skipped, merged.skipped  # schema-valid: never skipped
    render_markdown(merged)
    render_html(merged)
    render_text(merged)
    render_json(merged)
    job_summary(merged)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for probe_id in ("p1", "p2"):
            assert main(["show", probe_id, "--results", str(path)]) in (0, 1, 2)
        assert main(["check", str(folder)]) in (0, 1)
        assert main(["check", str(folder), "--same-everywhere"]) in (0, 1)
        assert main(["diff", str(folder), str(folder)]) in (0, 1)
        assert main(["history", str(folder)]) in (0, 1)
