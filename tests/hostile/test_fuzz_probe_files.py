"""Hostile and broken input: every probe or results file gets a clear error, nothing else.

Fuzzing uses hypothesis with a fixed seed (derandomize) so CI is reproducible;
the example counts add up to well over 1,000 cases.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.synthetic import observation, record, results_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matrix.probe.selection import builtin_probe_dir
from matrix.probe.validate import MAX_FILE_BYTES, validate_file, validate_text
from matrix.render.to_html import render_html
from matrix.render.to_md import render_markdown
from matrix.render.to_text import render_text
from matrix.table.merge import load_and_merge, load_results, merge

FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
REAL_PROBES = sorted(builtin_probe_dir().rglob("*.yaml"))
REAL_TEXTS = [p.read_text(encoding="utf-8") for p in REAL_PROBES]


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


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)


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


def timed_rejection(text: str) -> list[Any]:
    started = time.perf_counter()
    probe, problems = validate_text(text, "hostile.yaml", "hostile")
    assert time.perf_counter() - started < 5, "must be refused quickly (1 s idle; 5 s margin)"
    assert probe is None
    return problems


HEADER = "id: hostile\ntitle: t\nquestion: q\ntags: [x]\nsources: [s]\nsockets: [{pair: [a, b]}]\n"


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


def test_fifty_megabyte_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    _, problems = validate_file(path)
    assert time.perf_counter() - started < 1
    assert problems[0].message == f"file is {50 * 1024 * 1024} bytes; the limit is {MAX_FILE_BYTES}"


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


# -- results files -------------------------------------------------------------


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


INJECTIONS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "| broken | table |",
    "[link](https://evil.invalid)",
    "`code` **bold** _em_ # heading\nnew line",
    "</script><script>alert(2)</script>",
    "\u202eRTL override",
    "x" * 100_000,
]


def hostile_results(payload: str) -> dict[str, Any]:
    doc = results_document(
        os="testos",
        records=[
            record(
                "p1",
                f"recv: {payload}",
                observations=[
                    {
                        **observation("recv", payload),
                        "name": payload,
                        "timing": payload,
                        "error": {
                            "exception": payload,
                            "errno": 1,
                            "name": payload,
                            "portable": payload,
                            "message": payload,
                        },
                    }
                ],
            )
        ],
        source={"run_url": payload, "commit": payload, "image_os": payload},
    )
    # os_version is ASCII by schema (tests/test_hostile_classes.py): a payload
    # there would get the whole file skipped and test nothing here.
    doc["started"] = payload
    doc["tool"]["version"] = payload
    doc["probes"][0]["reason"] = payload
    return doc


def benign_results(folder: Path) -> Path:
    path = folder / "benign.json"
    path.write_text(json.dumps(hostile_results("benign")), encoding="utf-8")
    return path


@pytest.mark.parametrize("payload", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_in_every_results_string_stays_text(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_results(payload)), encoding="utf-8")
    merged = load_and_merge([path], [])
    if merged.skipped:  # too long for the schema: refused by name, which is fine
        assert "hostile.json" in merged.skipped[0].file
        return
    markdown = render_markdown(merged)
    assert "<script>" not in markdown and "<img" not in markdown
    table = [line for line in markdown.split("## Details")[0].splitlines() if line.startswith("| ")]
    pipes = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
    assert len(pipes) == 1, "an injected string must not change the table's columns"
    page = render_html(merged)
    assert "<img" not in page and "alert(1)</script>" not in page
    benign = render_html(load_and_merge([benign_results(tmp_path)], []))
    assert page.count("<script") == benign.count("<script"), "no script element injected"
    assert "\x1b" not in render_text(merged)


def test_huge_string_in_results_is_refused_by_schema_or_rendered_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(hostile_results("y" * 1_000_000)), encoding="utf-8")
    merged = load_and_merge([path], [])
    assert merged.skipped and "does not match the results schema" in merged.skipped[0].reason
