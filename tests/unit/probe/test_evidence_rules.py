"""Probe evidence: documented entries in lists, cited lines, runtimes and bites, each
problem at its file and line."""

from __future__ import annotations

from pathlib import Path

from helpers.tables import WriteProbe

from matrix.probe.validate import validate_file

COMMIT = "51ccd95c49c2c61ad41960b25a01f834601d70c0"
HEAD = """\
id: p
title: t
question: q
tags: [x]
sources: ["https://example.invalid/a"]
sockets: [{tcp: a}]
steps: [{op: listen, socket: a, name: listen}]
verdict: [listen]
"""
CONFORMANCE = f"""\
    - kind: test
      source: a conformance test
      repository: wine-mirror/wine
      commit: {COMMIT}
      path: dlls/ws2_32/tests/sock.c
      line: 4218
      last_line: 4219
      quote: |-
        ret = WSAGetLastError();
        ok (ret == WSAEINVAL, "expected 10022, received %d\\n", ret);
      expect: {{listen: {{outcome: raised, error: EINVAL}}}}
"""


def problems(write_probe: WriteProbe, body: str) -> list[str]:
    probe, found = validate_file(write_probe(HEAD + body, id="p"))
    return [f"{p.line}: {p.message}" for p in found] if probe is None else []


def test_a_family_may_hold_prose_and_a_conformance_test(write_probe: WriteProbe) -> None:
    body = "documented:\n  windows:\n    - {source: manual, quote: q}\n" + CONFORMANCE
    assert problems(write_probe, body) == []


def test_old_single_entries_stay_valid(write_probe: WriteProbe) -> None:
    assert problems(write_probe, "documented:\n  linux: {source: manual, quote: q}\n") == []


def test_a_test_entry_needs_its_commit_and_line(write_probe: WriteProbe) -> None:
    body = "documented:\n  windows:\n    - {kind: test, source: s, quote: q}\n"
    found = problems(write_probe, body)
    assert any(p.startswith("11: ") and "missing required key 'commit'" in p for p in found), found


def test_a_rule_names_the_os_version_it_was_checked_against(write_probe: WriteProbe) -> None:
    body = (
        "documented:\n  linux:\n    kind: rule\n    source: netsem\n"
        "    repository: rems-project/netsem\n"
        f"    commit: {COMMIT}\n    path: specification/TCP1_hostLTSScript.sml\n"
        "    line: 7837\n    quote: err = EINVAL\n"
    )
    assert problems(write_probe, body) == ["11: missing required key 'os_version'"]


def test_a_quote_that_is_not_the_cited_lines_is_refused(write_probe: WriteProbe) -> None:
    body = "documented:\n  windows:\n" + CONFORMANCE.replace(
        "        ret = WSAGetLastError();\n", ""
    )
    (found,) = problems(write_probe, body)
    assert found.startswith("11: ") and "2 line(s) cited, the quote has 1" in found


def test_an_expectation_in_a_list_names_a_real_step(write_probe: WriteProbe) -> None:
    body = "documented:\n  windows:\n" + CONFORMANCE.replace("{listen:", "{lisen:")
    assert problems(write_probe, body) == ["21: no step named 'lisen' (did you mean 'listen'?)"]


def test_bites_name_known_behaviours_once_with_github_issues(write_probe: WriteProbe) -> None:
    issue = '{url: "https://github.com/python/cpython/issues/91913", shows: Windows}'
    body = (
        "bites:\n"
        f"  - {{behaviour: close-does-not-wake, issues: [{issue}, {issue}]}}\n"
        f"  - {{behaviour: close-does-not-wake, issues: [{issue}]}}\n"
        '  - {behaviour: slow-refused-connect, issues: [{url: "http://x.example/1", '
        "shows: s}]}\n"
    )
    found = problems(write_probe, body)
    assert any(p.startswith("12: ") and "does not match" in p for p in found), found
    body = "\n".join(body.splitlines()[:3]) + "\n"
    assert problems(write_probe, body) == [
        "10: this issue is listed twice",
        "11: 'close-does-not-wake' is named twice",
    ]


def test_a_runtime_entry_cites_its_line(write_probe: WriteProbe, tmp_path: Path) -> None:
    entry = (
        "runtimes:\n  - runtime: java\n    effect: shields\n    says: close wakes\n"
        "    source: AsyncClose.java\n    repository: openjdk/jdk\n"
        f"    commit: {COMMIT}\n    path: test/AsyncClose.java\n    line: 34\n"
        "    last_line: 35\n    quote: only one line\n"
    )
    assert problems(write_probe, entry) == [
        "10: the quote of a cited line is the line itself: 2 line(s) cited, the quote has 1 "
        "(write it as a YAML literal block, |-)"
    ]
    assert problems(write_probe, entry.replace("runtime: java", "runtime: cobol"))[0].startswith(
        "10: 'cobol' is not one of"
    )
