"""Socket options in probe files: every validation message the allow-list gives, and other
step-argument messages (the allow-list itself: tests/unit/language/test_option_allowlist.py)."""

from __future__ import annotations

import pytest
from helpers.probes import HEADER, WriteProbe

from matrix.probe.model import Problem
from matrix.probe.validate import validate_file


def problems(write_probe: WriteProbe, body: str) -> list[Problem]:
    probe, found = validate_file(write_probe(HEADER + body, id="p"))
    assert probe is None, "expected the probe to be refused"
    return found


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_misspelt_option_is_a_validation_error_with_did_you_mean(
    write_probe: WriteProbe,
) -> None:
    body = """\
sockets: [{tcp: s}]
steps:
  - {op: setsockopt, socket: s, option: SO_RCVBUFF, value: 4096, name: set}
verdict: [set]
"""
    problem = only(problems(write_probe, body))
    assert problem.line == 8
    assert problem.path == ("steps", 0, "option")
    assert problem.message.startswith(
        "unknown or not allowed socket option 'SO_RCVBUFF' (did you mean 'SO_RCVBUF'?)"
    )


def test_misspelt_option_in_getsockopt_and_socket_options(write_probe: WriteProbe) -> None:
    body = """\
sockets:
  - tcp: s
    options: {SO_REUSEADR: 1}
steps:
  - {op: getsockopt, socket: s, option: TCP_KEEPIDEL, name: get}
verdict: [get]
"""
    found = problems(write_probe, body)
    messages = {p.path: p.message for p in found}
    assert "(did you mean 'SO_REUSEADDR'?)" in messages[("sockets", 0, "options", "SO_REUSEADR")]
    assert "(did you mean 'TCP_KEEPIDLE'?)" in messages[("steps", 0, "option")]
    assert {p.line for p in found} == {8, 10}


@pytest.mark.parametrize(
    "option",
    ["SO_BINDTODEVICE", "IP_OPTIONS", "IP_ADD_MEMBERSHIP", "IP_HDRINCL", "SO_MARK"],
)
def test_options_that_reach_the_network_are_refused_at_validation(
    write_probe: WriteProbe, option: str
) -> None:
    body = f"""\
sockets: [{{udp: s}}]
steps:
  - {{op: setsockopt, socket: s, option: {option}, raw: {{format: BBBB, values: [1, 2, 3, 4]}}}}
  - {{op: close, socket: s, name: c}}
verdict: [c]
"""
    problem = only(problems(write_probe, body))
    if option == "SO_MARK":
        assert problem.message.startswith(f"unknown or not allowed socket option {option!r}")
        assert "probes may use: " in problem.message
    else:
        # Why it is refused, not a did-you-mean pointing at some other option.
        assert problem.message.startswith(f"socket option {option} is not allowed in a probe: ")
        assert "did you mean" not in problem.message


def test_the_allowed_names_are_listed_once_per_file(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{tcp: s, options: {SO_NOSUCH: 1, SO_OTHER: 1}}]
steps:
  - {op: getsockopt, socket: s, option: SO_THIRD, name: g}
verdict: [g]
"""
    found = problems(write_probe, body)
    assert len(found) == 3
    assert ["probes may use: " in p.message for p in found] == [True, False, False]


def test_raw_only_within_the_size_of_the_option(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{tcp: s}]
steps:
  - {op: setsockopt, socket: s, option: SO_KEEPALIVE, raw: {format: qqqq, values: [1, 2, 3, 4]}}
  - {op: close, socket: s, name: c}
verdict: [c]
"""
    problem = only(problems(write_probe, body))
    assert problem.path == ("steps", 0, "raw")
    assert problem.message == "raw value of 32 bytes is more than SO_KEEPALIVE takes (4)"


CASES = [
    ("{op: setsockopt, socket: s, option: SO_REUSEADDR, value: 2}", "SO_REUSEADDR takes 0 to 1"),
    ("{op: setsockopt, socket: s, option: SO_ERROR, value: 0}", "SO_ERROR can only be read"),
    (
        "{op: setsockopt, socket: s, option: SO_LINGER, value: 1}",
        "SO_LINGER takes `linger:` (or `raw:`), not an integer value",
    ),
    (
        "{op: setsockopt, socket: s, option: SO_RCVBUF, duration: 1}",
        "duration is for SO_SNDTIMEO, SO_RCVTIMEO, not SO_RCVBUF",
    ),
    ("{op: setsockopt, socket: s, value: 1}", "setsockopt needs `option`"),
    (
        "{op: getsockopt, socket: s, option: SO_RCVBUF, decode: linger}",
        "decode: linger does not fit SO_RCVBUF",
    ),
    (
        "{op: setsockopt, socket: s, option: SO_RCVBUF, raw: {format: b, values: [300]}}",
        "raw values do not fit the format 'b'",
    ),
]


@pytest.mark.parametrize(("step", "message"), CASES)
def test_option_values_are_checked_against_the_table(
    write_probe: WriteProbe, step: str, message: str
) -> None:
    body = f"""\
sockets: [{{tcp: s}}]
steps:
  - {step}
  - {{op: close, socket: s, name: c}}
verdict: [c]
"""
    problem = only(problems(write_probe, body))
    assert problem.line == 8
    assert problem.message.startswith(message)


def test_flat_pair_options_say_how_to_write_them_per_end(write_probe: WriteProbe) -> None:
    body = """\
sockets:
  - pair: [client, server]
    options: {SO_RCVBUF: 4096}
steps:
  - {op: close, socket: client, name: c}
verdict: [c]
"""
    problem = only(problems(write_probe, body))
    assert problem.line == 8
    assert problem.path == ("sockets", 0, "options")
    assert problem.message == (
        "a pair's options are given per end: write options: {client: {SO_RCVBUF: …}} "
        "for the client end, or {server: {…}} for the accepted (server) end"
    )


def test_unknown_key_in_a_step_lists_the_keys_it_accepts(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{tcp: s}]
steps:
  - {op: close, socket: s, name: c, linger: 1}
verdict: [c]
"""
    problem = only(problems(write_probe, body))
    assert problem.path == ("steps", 0, "linger")
    assert problem.message == "not an argument of 'close' (it takes: socket)"
    body = body.replace("linger: 1", "colour: red")
    problem = only(problems(write_probe, body))
    assert problem.message == ("unknown key; 'close' takes: name, note, op, socket, thread, within")


def test_select_with_three_empty_sets_is_refused(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{tcp: s}]
steps:
  - {op: select, read: [], timeout: 0, name: sel}
verdict: [sel]
"""
    problem = only(problems(write_probe, body))
    assert problem.line == 8
    assert "Windows refuses three empty sets" in problem.message
    assert "all three descriptor parameters were null" in problem.message


def test_literal_port_is_gone_and_closed_port_is_the_way(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{tcp: s}]
steps:
  - {op: connect, socket: s, port: 5432, name: c}
verdict: [c]
"""
    messages = [p.message for p in problems(write_probe, body)]
    assert any("'connect' takes: " in m and "closed_port" in m for m in messages), messages
    probe, found = validate_file(
        write_probe(HEADER + body.replace("port: 5432", "closed_port: true"), id="p")
    )
    assert found == [] and probe is not None


def test_a_bind_step_s_options_are_checked_against_the_allow_list(
    write_probe: WriteProbe,
) -> None:
    body = """\
sockets: [{tcp: a}]
steps:
  - {op: bind, socket: a, options: {SO_REUSEADR: 1}, name: b}
verdict: [b]
"""
    problem = only(problems(write_probe, body))
    assert problem.path == ("steps", 0, "options", "SO_REUSEADR")
    assert "(did you mean 'SO_REUSEADDR'?)" in problem.message


def test_a_bind_step_s_option_values_are_range_checked(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{tcp: a}]
steps:
  - {op: bind, socket: a, options: {SO_EXCLUSIVEADDRUSE: 7}, name: b}
verdict: [b]
"""
    problem = only(problems(write_probe, body))
    assert problem.path == ("steps", 0, "options", "SO_EXCLUSIVEADDRUSE")


@pytest.mark.parametrize(
    "extra",
    ["option: SO_LINGER, decode: linger", "option: SO_RCVBUF, raw: {format: i}"],
)
def test_length_is_refused_where_it_cannot_apply(write_probe: WriteProbe, extra: str) -> None:
    body = f"""\
sockets: [{{tcp: s}}]
steps:
  - {{op: getsockopt, socket: s, {extra}, length: true, name: g}}
verdict: [g]
"""
    problem = only(problems(write_probe, body))
    assert problem.path == ("steps", 0, "length")
    assert "integer reads" in problem.message


def test_length_on_an_integer_read_is_valid(write_probe: WriteProbe) -> None:
    text = (
        HEADER
        + """\
sockets: [{tcp: s}]
steps:
  - {op: getsockopt, socket: s, option: SO_KEEPALIVE, length: true, name: g}
  - {op: getsockopt, socket: s, option: SO_ERROR, decode: errno, length: true, name: e}
verdict: [g, e]
"""
    )
    probe, found = validate_file(write_probe(text, id="p"))
    assert probe is not None, [str(p) for p in found]


def test_allow_closed_is_refused_on_a_thread(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{tcp: s}]
steps:
  - {op: close, socket: s}
  - {op: select, read: [s], timeout: 0, allow_closed: true, thread: t, name: sel}
verdict: [sel]
"""
    problem = only(problems(write_probe, body))
    assert problem.path == ("steps", 1, "thread")
    assert "main sequence" in problem.message
