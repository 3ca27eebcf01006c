"""Every kind of validation problem: its message, its line, its key trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.probes import HEADER, WriteProbe

from matrix.probe.model import Problem
from matrix.probe.validate import validate_file, validate_paths


def problems_of(write_probe: WriteProbe, body: str, id: str = "p") -> list[Problem]:
    path = write_probe(body, id=id)
    probe, problems = validate_file(path)
    assert probe is None, "expected the probe to be rejected"
    return problems


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_valid_probe_passes(write_probe: WriteProbe) -> None:
    probe, problems = validate_file(write_probe())
    assert problems == []
    assert probe is not None and probe.id == "minimal"
    assert len(probe.sha256) == 64


def test_yaml_syntax_error(write_probe: WriteProbe) -> None:
    problem = only(problems_of(write_probe, HEADER + "sockets: [\n  - {pair: [a, b]\n"))
    assert problem.message.startswith("YAML syntax")
    assert problem.line is not None and problem.line >= 7


def test_unknown_top_level_key_suggests_the_right_one(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [a, b]}]
steps: [{op: close, socket: a, name: c}]
verdict: [c]
verdcit: [c]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.line == 9
    assert problem.path == ("verdcit",)
    assert problem.message == "unknown key (did you mean 'verdict'?)"
    assert str(problem).endswith("p.yaml:9: verdcit → unknown key (did you mean 'verdict'?)")


def test_unknown_operation_suggests_the_right_one(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [a, b]}]
steps:
  - {op: close, socket: a, name: c}
  - {op: recvv, socket: b}
verdict: [c]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.line == 9
    assert "unknown operation 'recvv' (did you mean 'recv'?)" in problem.message
    assert str(problem).endswith("steps[1] → op → unknown operation 'recvv' (did you mean 'recv'?)")


def test_argument_of_another_operation_is_named_as_such(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [a, b]}]
steps:
  - {op: recv, socket: a, seconds: 2, name: r}
verdict: [r]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.line == 8
    assert problem.path == ("steps", 0, "seconds")
    assert problem.message == "not an argument of 'recv' (it takes: bytes, flags, socket)"


def test_misspelt_argument_suggests_the_right_one(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [a, b]}]
steps:
  - {op: recv, sokcet: a, name: r}
verdict: [r]
"""
    )
    messages = [f"{p.path[-1]}: {p.message}" for p in problems_of(write_probe, body)]
    assert (
        "sokcet: unknown key (did you mean 'socket'?); "
        "'recv' takes: bytes, flags, name, note, op, socket, thread, within"
    ) in messages
    assert "0: missing required key 'socket'" in messages


def test_missing_required_key(write_probe: WriteProbe) -> None:
    body = (
        "id: p\ntitle: t\ntags: []\nsources: [s]\nsockets: [{tcp: a}]\n"
        "steps: [{op: close, socket: a, name: c}]\nverdict: [c]\n"
    )
    problem = only(problems_of(write_probe, body))
    assert problem.message == "missing required key 'question'"
    assert problem.line == 1


def test_exactly_one_of_a_group(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [a, b]}]
steps:
  - {op: send, socket: a, bytes: 3, data: abc, name: s}
verdict: [s]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.message == "needs exactly one of: bytes, data (found bytes, data)"
    assert problem.line == 8


def test_wrong_type(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [a, b]}]
steps:
  - {op: sleep, seconds: soon}
  - {op: close, socket: a, name: c}
verdict: [c]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.message == "expected number, got text 'soon'"
    assert problem.line == 8


def test_unknown_socket_reference(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [local, peer]}]
steps:
  - {op: close, socket: locl, name: c}
verdict: [c]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.message == "unknown socket 'locl' (did you mean 'local'?)"
    assert problem.line == 8


def test_socket_created_by_accept_can_be_used_afterwards_only(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{listener: srv}, {tcp: cli}]
steps:
  - {op: close, socket: conn}
  - {op: connect, socket: cli, to: srv}
  - {op: accept, socket: srv, as: conn, name: a}
  - {op: close, socket: conn}
verdict: [a]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.path == ("steps", 0, "socket")
    assert problem.line == 8


def test_join_needs_an_earlier_thread_step(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
sockets: [{pair: [a, b]}]
steps:
  - {op: recv, socket: a, name: r}
  - {op: join, step: r, within: 1, name: j}
  - {op: join, step: nope, within: 1}
verdict: [j]
"""
    )
    messages = {p.line: p.message for p in problems_of(write_probe, body)}
    assert messages == {9: "step 'r' does not run on a thread", 10: "no earlier step named 'nope'"}


def test_verdict_and_expectations_must_name_steps(write_probe: WriteProbe) -> None:
    body = (
        HEADER
        + """\
documented:
  windows:
    source: somewhere
    quote: something
    expect:
      clsoe: {outcome: raised}
sockets: [{pair: [a, b]}]
steps:
  - {op: close, socket: a, name: close}
verdict: [close, nothing]
"""
    )
    problems = problems_of(write_probe, body)
    by_path = {p.path: p for p in problems}
    assert by_path[("verdict", 1)].message == "no step named 'nothing'"
    assert by_path[("verdict", 1)].line == 15
    expect = by_path[("documented", "windows", "expect", "clsoe")]
    assert expect.message == "no step named 'clsoe' (did you mean 'close'?)"
    assert expect.line == 11


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "localhost",
        "example.com",
        "::ffff:8.8.8.8",
        "10.0.0.1",
        "0x7f000001",
        "2130706433",
        "127.1",
    ],
)
def test_non_loopback_address_is_refused(write_probe: WriteProbe, address: str) -> None:
    body = (
        HEADER
        + f"""\
sockets: [{{tcp: a}}]
steps:
  - {{op: connect, socket: a, address: "{address}", closed_port: true, name: c}}
verdict: [c]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.path == ("steps", 0, "address")
    assert problem.line == 8
    assert "loopback" in problem.message


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "::ffff:127.0.0.1"]
)
def test_loopback_and_unspecified_addresses_are_allowed(
    write_probe: WriteProbe, address: str
) -> None:
    body = (
        HEADER
        + f"""\
sockets: [{{tcp: a}}]
steps:
  - {{op: bind, socket: a, address: "{address}", name: b}}
verdict: [b]
"""
    )
    _probe, problems = validate_file(write_probe(body, id="p"))
    assert problems == []


def test_id_must_equal_the_file_name(write_probe: WriteProbe) -> None:
    path = write_probe(id="minimal")
    path.rename(path.with_name("other.yaml"))
    _, problems = validate_file(path.with_name("other.yaml"))
    problem = only(problems)
    assert problem.message == "id 'minimal' must equal the file name 'other'"
    assert problem.line == 1


def test_duplicate_ids_across_files(write_probe: WriteProbe, tmp_path: Path) -> None:
    write_probe(id="same")
    write_probe(id="same", folder="probes/sub")
    probes, problems = validate_paths([tmp_path / "probes"])
    assert len(probes) == 1
    problem = only(problems)
    assert "id 'same' is already used by" in problem.message
    assert problem.line == 1


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"id: bad\ntitle: \xff\xfe\n")
    problem = only(validate_file(path)[1])
    assert problem.line == 2
    assert problem.message.startswith("not UTF-8")


def test_a_document_that_is_not_a_mapping(write_probe: WriteProbe) -> None:
    problem = only(problems_of(write_probe, "- just\n- a list\n"))
    assert problem.message == "a probe is a mapping, got a list"


def test_all_errors_in_all_files_in_one_pass(write_probe: WriteProbe, tmp_path: Path) -> None:
    write_probe(id="good")
    write_probe(HEADER.replace("id: p", "id: one") + "sockets: []\n", id="one")
    write_probe("id: two\n: :\n", id="two")
    probes, problems = validate_paths([tmp_path / "probes"])
    assert [p.id for p in probes] == ["good"]
    assert {Path(p.file).name for p in problems} == {"one.yaml", "two.yaml"}
    assert len([p for p in problems if p.file.endswith("one.yaml")]) >= 3


def test_validation_checks_the_peer_and_the_state_names(tmp_path: Path) -> None:
    header = "id: p\ntitle: t\nquestion: q\ntags: [test]\nsources: [s]\n"
    sockets = "sockets: [{pair: [local, peer]}]\nsteps:\n"
    path = tmp_path / "p.yaml"
    for step, line, wanted in (
        ("{op: connection_state, socket: local, peer: pear, name: a}", 8, "unknown socket 'pear'"),
        ("{op: tcp_state, socket: local, expect: [TIME-WAIT], name: a}", 8, "'TIME-WAIT' is not"),
        ("{op: tcp_state, socket: local, wait: 31, name: a}", 8, "31"),
    ):
        path.write_text(f"{header}{sockets}  - {step}\nverdict: [a]\n", encoding="utf-8")
        probe, problems = validate_file(path)
        assert probe is None, step
        assert [(p.line, wanted in p.message) for p in problems] == [(line, True)], problems


@pytest.mark.parametrize("event", ["ERR", "HUP", "NVAL"])
def test_poll_result_only_events_are_refused_with_the_reason(
    write_probe: WriteProbe, event: str
) -> None:
    body = (
        HEADER
        + f"""\
sockets: [{{pair: [a, b]}}]
steps: [{{op: poll, sockets: [a], events: [IN, {event}], timeout: 0, name: p}}]
verdict: [p]
"""
    )
    problem = only(problems_of(write_probe, body))
    assert problem.path == ("steps", 0, "events", 1)
    assert problem.message.startswith(f"POLL{event} is reported by poll() without being asked")
    assert "WSAPoll fails on them with WSAEINVAL" in problem.message
    assert "ignores ERR, HUP and NVAL in events" in problem.message


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            "{op: recv, socket: b, flags: MSG_PEEK, name: r}",
            "steps[0] → flags → expected array, got text 'MSG_PEEK'; write a list: flags: [PEEK]",
        ),
        (
            "{op: recv, socket: b, flags: [MSG_PEEK], name: r}",
            "steps[0] → flags[0] → 'MSG_PEEK' is written without its prefix here: flags: [PEEK]",
        ),
        (
            "{op: recv, socket: b, flags: [PEKK], name: r}",
            "steps[0] → flags[0] → 'PEKK' is not one of 'PEEK', 'WAITALL', 'OOB', 'DONTWAIT' "
            "(did you mean 'PEEK'?)",
        ),
        (
            "{op: recv, socket: b, name: 7}",
            "steps[0] → name → expected string, got int 7; to mean the text 7, quote it: name: '7'",
        ),
    ],
)
def test_a_mistyped_value_gets_the_exact_fix(
    write_probe: WriteProbe, step: str, message: str
) -> None:
    body = HEADER + f"sockets: [{{pair: [a, b]}}]\nsteps:\n  - {step}\nverdict: [r]\n"
    problems = [p for p in problems_of(write_probe, body) if p.path[:1] == ("steps",)]
    assert [str(p).split(": ", 1)[1] for p in problems] == [message]


def test_a_tab_in_indentation_is_called_a_tab(write_probe: WriteProbe) -> None:
    problem = only(problems_of(write_probe, HEADER + "sockets:\n\t- {tcp: s}\n"))
    assert problem.line == 7
    assert problem.message.endswith("(a tab: YAML indents with spaces only)")


def test_a_users_copy_of_a_builtin_probe_wins_over_it_with_a_note(tmp_path: Path) -> None:
    from matrix.probe.selection import builtin_probe_dir

    builtin = next(builtin_probe_dir().rglob("close-unread-data-resets.yaml"))
    mine = tmp_path / "socket-checks" / builtin.name
    mine.parent.mkdir()
    assumption = "assumptions:\n  all:\n    close: {outcome: returned}\n"
    mine.write_text(builtin.read_text(encoding="utf-8") + assumption, encoding="utf-8")
    notes: list[str] = []
    probes, problems = validate_paths([mine.parent, builtin_probe_dir()], notes)
    assert problems == []
    (chosen,) = [p for p in probes if p.id == "close-unread-data-resets"]
    assert chosen.path == mine
    assert notes == [
        f"{mine}: id 'close-unread-data-resets' is also a built-in probe "
        "(close-unread-data-resets.yaml); your file is used in its place"
    ]
