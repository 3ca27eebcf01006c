"""Validation in one pass: a schema error never hides the checks a schema cannot make."""

from __future__ import annotations

from helpers.probes import HEADER, WriteProbe

from matrix.probe.validate import validate_file


def messages(write_probe: WriteProbe, body: str) -> list[tuple[int | None, str]]:
    probe, problems = validate_file(write_probe(HEADER + body, id="p"))
    assert probe is None
    return [(p.line, str(p).split(": ", 1)[1]) for p in problems]


def test_a_misspelt_key_does_not_hide_options_sockets_or_assumptions(
    write_probe: WriteProbe,
) -> None:
    body = """\
sockets:
  - {listener: srv, options: {SO_NOSUCH: 1}}
  - {tcp: cli}
steps:
  - {op: connect, socket: cli, to: srv, timeoutt: 1}
  - {op: send, socket: conn, data: x, name: early}
  - {op: accept, socket: srv, as: conn, name: acc}
verdict: [acc]
assumptions:
  all:
    acc: {outcome: returned}
    nosuch: {outcome: returned}
"""
    found = messages(write_probe, body)
    lines = [line for line, _ in found]
    assert lines == sorted(lines), "problems come in file order"
    text = "\n".join(message for _, message in found)
    assert "steps[0] → timeoutt → unknown key" in text
    assert "sockets[0] → options → SO_NOSUCH" in text
    assert "steps[1] → socket → unknown socket 'conn'" in text
    assert "assumptions → all → nosuch → no step named 'nosuch'" in text
    assert len(found) == 4, found


def test_a_step_the_schema_refuses_still_names_what_later_steps_use(
    write_probe: WriteProbe,
) -> None:
    # The accept's thread is of the wrong type: the step is refused, but the
    # socket it creates and its name are known, so no false "unknown" follows.
    body = """\
sockets: [{listener: srv}, {tcp: cli}]
steps:
  - {op: connect, socket: cli, to: srv}
  - {op: accept, socket: srv, as: conn, name: acc, thread: 7}
  - {op: send, socket: conn, data: x, name: s}
  - {op: recv, socket: nope, name: r}
verdict: [acc, s]
"""
    found = messages(write_probe, body)
    assert [line for line, _ in found] == [9, 11]
    assert found[0][1].startswith("steps[1] → thread → expected string, got int 7")
    assert found[1][1] == "steps[3] → socket → unknown socket 'nope'"


def test_sections_of_the_wrong_type_give_their_schema_error_only(
    write_probe: WriteProbe,
) -> None:
    body = "sockets: 3\nsteps: {op: close}\nverdict: [x]\nassumptions: [1]\n"
    found = messages(write_probe, body)
    assert [message.split(" → ")[0] for _, message in found] == [
        "sockets",
        "steps",
        "assumptions",
    ]


def test_misspelt_words_in_expectations_are_refused_with_the_right_one(
    write_probe: WriteProbe,
) -> None:
    body = """\
sockets: [{pair: [a, b]}]
steps: [{op: recv, socket: b, name: r}]
verdict: [r]
documented:
  linux:
    source: https://man7.org/linux/man-pages/man2/recv.2.html
    quote: q
    expect: {r: {error: EAGAIN}}
assumptions:
  all:
    r: {error: ENOTCONNN, timing: immediatly}
  windows:
    r: {error: [ENOTCONN, EPIPE, ECONNRESTE], outcome: [raised, raised]}
"""
    found = messages(write_probe, body)
    assert found == [
        (
            13,
            "documented → linux → expect → r → error → observations name this error "
            "'EWOULDBLOCK' (the portable name of 'EAGAIN'): write error: EWOULDBLOCK",
        ),
        (
            16,
            "assumptions → all → r → error → 'ENOTCONNN' is not an error name any "
            "platform reports (did you mean 'ENOTCONN'?); use the portable name "
            "(EWOULDBLOCK, ECONNRESET, …) as the table shows it",
        ),
        (
            16,
            "assumptions → all → r → timing → 'immediatly' is not a timing class (did you "
            "mean 'immediate'?); use one of: immediate, blocked, already returned, at its "
            "timeout, at the end of its wait, killed, or 'after ~N s' (N whole seconds, "
            "at least 1)",
        ),
        (
            18,
            "assumptions → windows → r → error[2] → 'ECONNRESTE' is not an error name any "
            "platform reports (did you mean 'ECONNRESET'?); use the portable name "
            "(EWOULDBLOCK, ECONNRESET, …) as the table shows it",
        ),
        (18, "assumptions → windows → r → outcome → lists a word twice"),
    ]


def test_lists_of_alternatives_and_every_reportable_word_pass(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{pair: [a, b]}]
steps: [{op: recv, socket: b, name: r}]
verdict: [r]
assumptions:
  all:
    r: {error: [ENOTCONN, EPIPE], outcome: raised, timing: [immediate, after ~2 s]}
  windows:
    r: {error: WSAEDISCON, summary: [EOF, "0"]}
"""
    probe, problems = validate_file(write_probe(HEADER + body, id="p"))
    assert problems == []
    assert probe is not None


def test_a_step_the_schema_refuses_still_has_its_sockets_checked(
    write_probe: WriteProbe,
) -> None:
    # A misspelt flag (a value the schema refuses) and a misspelt socket in one
    # step, and an unknown operation naming a socket: every mistake is reported.
    body = """\
sockets: [{pair: [a, b]}]
steps:
  - {op: recv, socket: c, flags: [PEK], name: r}
  - {op: sendd, socket: bb, data: x, name: s}
  - {op: send, socket: a, data: x, name: ok}
  - {op: select, read: [a, zz], timeout: soon, name: sel}
verdict: [r]
"""
    found = messages(write_probe, body)
    text = "\n".join(message for _, message in found)
    assert "steps[0] → flags[0] → 'PEK' is not one of" in text
    assert "steps[0] → socket → unknown socket 'c'" in text
    assert "steps[1] → op → unknown operation 'sendd'" in text
    assert "steps[1] → socket → unknown socket 'bb' (did you mean 'b'?)" in text
    assert "steps[3] → timeout → " in text
    assert "steps[3] → read[1] → unknown socket 'zz'" in text
    assert len(found) == 6, found


def test_a_socket_the_schema_refuses_is_reported_once(write_probe: WriteProbe) -> None:
    body = """\
sockets: [{pair: [a, b]}]
steps:
  - {op: recv, socket: "not a name!", name: r}
verdict: [r]
"""
    found = messages(write_probe, body)
    assert [message.split(" → ")[1] for _, message in found] == ["socket"], found
