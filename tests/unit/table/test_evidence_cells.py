"""Conformance evidence in the table: a family's entries of every kind, the flag per kind
an observation contradicts, and how each format shows them (fictional platforms)."""

from __future__ import annotations

import json

import pytest
from helpers.synthetic import observation, record, results_document
from helpers.tables import WriteProbe

from matrix.probe.model import ProbeFile
from matrix.probe.validate import validate_file
from matrix.render.to_html import render_html
from matrix.render.to_json import matrix_document
from matrix.render.to_md import render_markdown
from matrix.render.to_text import render_text
from matrix.table.merge import Matrix, merge

COMMIT = "0123456789abcdef0123456789abcdef01234567"
URL = f"https://github.com/example-org/suite/blob/{COMMIT}/suite/sock.c#L41-L42"
PROBE = f"""\
id: p1
title: Probe one
question: q
tags: [close]
sources: ["https://example.invalid/doc"]
documented:
  fakeos:
    - source: "FakeOS manual, https://example.invalid/fakeos"
      quote: "recv returns EOF."
      expect: {{recv: {{summary: EOF}}}}
    - kind: test
      source: FakeOS conformance suite, test_recv
      repository: example-org/suite
      commit: {COMMIT}
      path: suite/sock.c
      line: 41
      last_line: 42
      quote: |-
        ret = recv(s, buf, 1, 0);
        ok(ret == -1 && errno == ECONNRESET);
      expect: {{recv: {{error: ECONNRESET}}}}
  oldos:
    kind: rule
    source: a specification of OldOS
    repository: example-org/spec
    commit: {COMMIT}
    path: spec/recv.sml
    line: 7
    quote: "recv_9 (*: EOF once shut :*)"
    os_version: OldOS 2.4
    expect: {{recv: {{summary: EOF}}}}
runtimes:
  - runtime: java
    effect: shields
    says: closing a socket wakes every blocked thread
    source: AsyncClose.java
    repository: example-org/jdk
    commit: {COMMIT}
    path: test/AsyncClose.java
    line: 3
    quote: "* cause any thread blocked on the socket to throw"
sockets: [{{pair: [a, b]}}]
steps: [{{op: recv, socket: a, name: recv}}]
verdict: [recv]
"""


@pytest.fixture
def probe(write_probe: WriteProbe) -> ProbeFile:
    loaded, problems = validate_file(write_probe(PROBE, id="p1"))
    assert loaded is not None, problems
    return loaded


def table_document(probe: ProbeFile, error: str | None = None) -> dict[str, object]:
    """fakeos observed: recv returned EOF, or raised ``error``."""
    recv = (
        observation("recv", "EOF")
        if error is None
        else observation("recv", "", outcome="raised", error=error)
    )
    verdict = f"recv: {error or 'EOF'}"
    return results_document(
        os="fakeos", records=[record("p1", verdict, sha=probe.sha256, observations=[recv])]
    )


def table(probe: ProbeFile, error: str | None = None) -> Matrix:
    return merge([("fakeos.json", table_document(probe, error))], [probe])


def test_an_observation_contradicting_a_conformance_test_is_flagged_as_such(
    probe: ProbeFile,
) -> None:
    cell = table(probe).rows[0].cells["fakeos-1.0-x86_64-py3.11"]
    assert cell.flags == ["differs from a conformance test"]
    assert [(c.kind, c.steps) for c in cell.contradictions] == [("test", ["recv"])]
    assert cell.documented is not None and cell.documented.get("kind") == "test"
    assert table(probe).rows[0].contradicts


def test_agreeing_with_the_test_but_not_the_prose_is_the_weaker_flag(probe: ProbeFile) -> None:
    cell = table(probe, "ECONNRESET").rows[0].cells["fakeos-1.0-x86_64-py3.11"]
    assert cell.flags == ["differs from documentation"]
    assert [(c.kind, c.steps) for c in cell.contradictions] == [("prose", ["recv"])]


def test_markdown_links_the_flag_to_the_cited_line_and_names_each_kind(
    probe: ProbeFile,
) -> None:
    text = render_markdown(table(probe))
    assert f"[≠test]({URL})" in text
    assert "Asserted by a conformance test for **fakeos**" in text
    assert "Specified by a rule for **oldos**, checked against OldOS 2.4 (" in text
    assert "recv: EOF \\[rule, OldOS 2.4\\]" in text  # the documented-only cell
    # A cited quote keeps its lines; HTML in it is escaped.
    assert "> ret = recv(s, buf, 1, 0);<br>ok(ret == -1 &amp;&amp; errno == ECONNRESET);" in text
    assert "- **Java (OpenJDK)** shields (makes every OS behave the same here)" in text
    assert "  > \\* cause any thread blocked on the socket to throw" in text


def test_html_text_and_json_say_the_same(probe: ProbeFile) -> None:
    matrix = table(probe)
    page = render_html(matrix)
    assert f'href="{URL}"' in page and "≠test" in page
    assert "Runtimes that hide or state this difference" in page
    assert "≠test" in render_text(matrix)
    # The text lists a row's verdicts and runtimes where observed platforms differ.
    other = results_document(
        os="otheros", records=[record("p1", "recv: blocked", sha=probe.sha256)]
    )
    differing = merge([("fakeos.json", table_document(probe)), ("otheros.json", other)], [probe])
    text = render_text(differing)
    assert "≠test" in text and "runtimes: Java (OpenJDK) shields" in text
    doc = matrix_document(matrix)
    json.dumps(doc)
    cell = doc["rows"][0]["cells"]["fakeos-1.0-x86_64-py3.11"]
    assert [e["kind"] for e in cell["evidence"]] == ["test", "prose"]
    assert cell["evidence"][0]["url"] == URL
    assert cell["contradictions"][0]["steps"] == ["recv"]
    assert doc["rows"][0]["runtimes"][0]["url"].endswith("/test/AsyncClose.java#L3")


def test_sources_of_one_family_disagreeing_do_not_say_platforms_differ(
    probe: ProbeFile,
) -> None:
    # fakeos's prose (EOF) and test (ECONNRESET) disagree, but both are fakeos's: with
    # oldos agreeing with the prose and nothing observed to compare, no row differs.
    doc = results_document(os="thirdos", records=[])
    matrix = merge([("thirdos.json", doc)], [probe])
    assert matrix.rows == [] or not matrix.rows[0].documentation_differs
