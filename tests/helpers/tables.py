"""Probes and merged tables on fictional platforms, shared by the table, render and command tests.

Each ``*_maker(write_probe)`` returns a function that writes a probe into the
test's tmp folder (the ``write_probe`` fixture), validates it and returns the
ProbeFile; a test module wraps it in a fixture of its own.
"""

from __future__ import annotations

from collections.abc import Callable

from helpers.probes import WriteProbe
from helpers.synthetic import observation, record, results_document
from matrix.probe.model import ProbeFile
from matrix.probe.validate import validate_file
from matrix.table.merge import Matrix, merge

XSS = "<img src=x onerror=alert(1)>"

# One recv step; fakeos documents EOF for it (and is never observed unless a test says so).
RECV_PROBE = """\
id: {id}
title: "{title}"
question: q
tags: [{tag}]
sources: ["https://example.invalid/doc", "a book | with a pipe"]
documented:
  fakeos:
    source: "FakeOS manual, https://example.invalid/fakeos"
    quote: "recv returns EOF."
    expect: {{recv: {{summary: EOF}}}}
sockets: [{{pair: [a, b]}}]
steps: [{{op: recv, socket: a, name: recv}}]
verdict: [recv]
"""

# A recv and a close; the family named by the test documents EOF for the recv.
RECV_CLOSE_PROBE = """\
id: {id}
title: "Probe {id}"
question: q
tags: [close]
sources: ["https://example.invalid/doc"]
documented:
  {family}:
    source: "Fictional manual, https://example.invalid/manual"
    quote: "recv returns EOF."
    expect: {{recv: {{summary: EOF}}}}
sockets: [{{pair: [a, b]}}]
steps:
  - {{op: recv, socket: a, name: recv}}
  - {{op: close, socket: a, name: close}}
verdict: [recv, close]
"""


def recv_probe_maker(write_probe: WriteProbe) -> Callable[..., ProbeFile]:
    def make(id: str = "p1", title: str = "Probe one", tag: str = "close") -> ProbeFile:
        loaded, problems = validate_file(
            write_probe(RECV_PROBE.format(id=id, title=title, tag=tag), id=id)
        )
        assert loaded is not None, problems
        return loaded

    return make


def recv_close_probe_maker(write_probe: WriteProbe) -> Callable[..., ProbeFile]:
    def make(id: str, family: str) -> ProbeFile:
        text = RECV_CLOSE_PROBE.format(id=id, family=family)
        loaded, problems = validate_file(write_probe(text, id=id))
        assert loaded is not None, problems
        return loaded

    return make


def recv_document(
    os: str, verdicts: dict[str, str], sha: dict[str, str] | None = None, **kwargs: object
) -> dict[str, object]:
    """One record per ``{probe id: "recv: <summary>"}``, with its recv observation."""
    records = [
        record(
            pid,
            v,
            sha=(sha or {}).get(pid, "0" * 64),
            observations=[observation("recv", v.split(": ")[1])],
        )
        for pid, v in verdicts.items()
    ]
    return results_document(os=os, records=records, **kwargs)  # type: ignore[arg-type]


def recv_close_document(
    os_name: str, recvs: dict[str, str], probes: list[ProbeFile]
) -> dict[str, object]:
    """One record per ``{probe id: recv summary}`` of RECV_CLOSE_PROBE; the close is ok."""
    sha = {p.id: p.sha256 for p in probes}
    records = [
        record(
            pid,
            f"recv: {summary} (immediate) · close: ok (immediate)",
            sha=sha[pid],
            observations=[observation("recv", summary), observation("close", "ok")],
        )
        for pid, summary in recvs.items()
    ]
    return results_document(os=os_name, records=records)


def three_kinds_matrix(make: Callable[..., ProbeFile]) -> Matrix:
    """p-obs: observed platforms differ; p-contra: an observation contradicts its own
    family's documentation; p-doc: only the documentation of an unobserved family
    disagrees with what was observed elsewhere; p-same: nothing differs.

    ``make`` is a :func:`recv_close_probe_maker`."""
    probes = [
        make("p-obs", "nosuchos"),
        make("p-contra", "alphaos"),
        make("p-doc", "gammaos"),
        make("p-same", "betaos"),
    ]
    alpha = {"p-obs": "EOF", "p-contra": "ECONNRESET", "p-doc": "blocked", "p-same": "EOF"}
    beta = {"p-obs": "blocked", "p-contra": "ECONNRESET", "p-doc": "blocked", "p-same": "EOF"}
    return merge(
        [
            ("a", recv_close_document("alphaos", alpha, probes)),
            ("b", recv_close_document("betaos", beta, probes)),
        ],
        probes,
    )
