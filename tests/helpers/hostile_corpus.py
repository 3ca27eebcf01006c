"""The hostile corpus: every class of attack on probe files, results files and -k,
and the acted ones (helpers.hostile_acts): valid probes that would poison a results
file, links in Markdown, interrupts in the results lock, unvalidated flags and
connects.

Used by tests/hostile/test_corpus.py (each case refused with its message, or
acted out and held), tests/hostile/test_probe_files.py (REFUSED_TEXTS,
validated without a file) and bench/bench_hostile.py (worst time and memory
per class). Every results file
here describes a fictional platform (``fictional-os``), never a real run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import hostile_acts as acts

HEADER = "id: hostile\ntitle: t\nquestion: q\ntags: [x]\nsources: [s]\nsockets: [{pair: [a, b]}]\n"
TAIL = "steps: [{op: close, socket: a, name: c}]\nverdict: [c]\n"


@dataclass(frozen=True)
class Case:
    cls: str  # the attack class (bench groups by it)
    name: str
    kind: str  # probe | results | keyword | act
    make: Callable[[Path], str]  # writes what it needs under a folder; returns a path or -k
    expect: str  # a substring of the message it must get (alternatives split by |)
    # kind "act": does what a user or CI would do with what make() made and says
    # how it went, "held: …" or "BROKEN: …" (helpers.hostile_acts).
    act: Callable[[str], str] | None = None
    # bench/bench_hostile.py's time target; an act that runs probes or writes
    # 17 MB takes longer than refusing an input does.
    seconds: float = 1.0


def _probe(text: str) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        path = folder / "hostile.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return str(path)

    return make


def key_alias_bomb(levels: int = 9, width: int = 10) -> str:
    """``? [&a [x, x, …], &b [*a, *a, …], …] : 1``: 10^9 elements from 321 bytes."""
    anchors = "abcdefghijklmnopqrstuvwxyz"
    parts = [f"&a [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        parts.append(f"&{anchors[level]} [{', '.join(['*' + anchors[level - 1]] * width)}]")
    return "? [" + ", ".join(parts) + "]\n: 1\n"


def fictional_results(**overrides: Any) -> dict[str, Any]:
    record = {
        "id": "hostile",
        "file": "probes/hostile.yaml",
        "sha256": "0" * 64,
        "status": "ok",
        "reason": None,
        "duration": 0.1,
        "verdict": "c: ok (immediate)",
        "observations": [],
    }
    document: dict[str, Any] = {
        "schema_version": 1,
        "tool": {"name": "sockmatrix", "version": "0.1.0"},
        "platform": {
            "os": "fictional-os",
            "os_version": "1.0",
            "machine": "x86_64",
            "python_version": "3.12.0",
            "key": "fictional-os-1.0-x86_64-py3.12",
        },
        "source": {},
        "started": "2026-01-01T00:00:00+00:00",
        "finished": "2026-01-01T00:01:00+00:00",
        "complete": True,
        "probes": [record],
    }
    for path, value in overrides.items():
        target: Any = document
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        target[keys[-1]] = value
    return document


def _results_text(text: str) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        path = folder / "fictional-os.json"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        return str(path)

    return make


def _results(**overrides: Any) -> Callable[[Path], str]:
    return _results_text(json.dumps(fictional_results(**overrides)))


def _duration(text: str) -> Callable[[Path], str]:
    """A results file whose first record's duration is ``text``, verbatim JSON."""
    return _results_text(
        json.dumps(fictional_results()).replace('"duration": 0.1', f'"duration": {text}')
    )


def _many_verdicts(folder: Path) -> str:
    """One probe seen with 703 different verdicts over repeated runs: marks past ZZ."""
    verdicts = {f"c: E{n} (immediate)": 1 for n in range(703)}
    document = fictional_results()
    document["probes"][0].update(repeat={"runs": 703, "verdicts": verdicts}, unstable=True)
    path = folder / "fictional-os.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _symlink_to_zero(folder: Path) -> str:
    path = folder / "fictional-os.json"
    path.symlink_to("/dev/zero")
    return str(path)


def _fifo(folder: Path) -> str:
    path = folder / "fictional-os.json"
    os.mkfifo(path)
    return str(path)


def _sparse_huge(folder: Path) -> str:
    path = folder / "fictional-os.json"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # reports 200 MB, holds nothing
    return str(path)


def _empty_objects(folder: Path) -> str:
    """{"pad": [{}, {}, …]} just under the 16 MiB limit: 5.6 million empty objects."""
    path = folder / "fictional-os.json"
    count = (16 * 1024 * 1024 - 20) // 3
    path.write_text('{"pad": [' + ",".join(["{}"] * count) + "]}", encoding="ascii")
    return str(path)


def _without_observations(folder: Path) -> str:
    """A schema-valid record with no ``observations`` key, for a probe whose embedded
    documentation has an expectation for the file's own family."""
    document = fictional_results()
    del document["probes"][0]["observations"]
    document["probes"][0]["probe"] = {
        "title": "t",
        "documented": {
            "fictional-os": {"source": "s", "quote": "q", "expect": {"c": {"summary": "EOF"}}}
        },
    }
    path = folder / "fictional-os.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _keyword(expression: str) -> Callable[[Path], str]:
    return lambda folder: expression


SURROGATE = "\ud800"
SHAPE = "results-shape"

CASES: list[Case] = [
    Case("alias-bomb", "alias-bomb-in-keys", "probe", _probe(key_alias_bomb()), "keys must be"),
    Case(
        "alias-bomb",
        "alias-bomb-in-values",
        "probe",
        _probe(
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 10)}]\n" for c in "bcdefghij"
            )
        ),
        "document expands to more than",
    ),
    Case(
        "huge-int",
        "5000-digit-time-limit",
        "probe",
        _probe(HEADER + "time_limit: " + "9" * 5000 + "\n" + TAIL),
        "at most 40 digits",
    ),
    Case(
        "huge-int",
        "5000-digit-key-value",
        "probe",
        _probe(HEADER + "steps: [{op: recv, socket: a, bytes: -" + "1" * 5000 + "}]\n"),
        "at most 40 digits",
    ),
    Case(
        "huge-int",
        "5001-digit-results",
        "results",
        _results_text(
            json.dumps(fictional_results()).replace('"duration": 0.1', '"duration": ' + "7" * 5001)
        ),
        "at most 40",
    ),
    Case(
        "nan-inf",
        "nan-time-limit",
        "probe",
        _probe(HEADER + "time_limit: .nan\n" + TAIL),
        "not a finite number",
    ),
    Case(
        "nan-inf",
        "inf-within",
        "probe",
        _probe(HEADER + "steps: [{op: recv, socket: a, within: .inf, name: c}]\nverdict: [c]\n"),
        "not a finite number",
    ),
    Case(
        "nan-inf",
        "nan-seconds",
        "probe",
        _probe(HEADER + "steps: [{op: sleep, seconds: .NaN}, {op: close, socket: a, name: c}]\n"),
        "not a finite number",
    ),
    Case(
        "nan-inf",
        "minus-inf-select-timeout",
        "probe",
        _probe(HEADER + "steps: [{op: select, read: [a], timeout: -.inf, name: c}]\n"),
        "not a finite number",
    ),
    Case(
        "nan-inf",
        "overflowing-float",
        "probe",
        _probe(HEADER + "time_limit: 1.0e+999\n" + TAIL),
        "not a finite number",
    ),
    Case(
        "nan-inf",
        "nan-in-results",
        "results",
        _results_text(
            json.dumps(fictional_results()).replace('"duration": 0.1', '"duration": NaN')
        ),
        "NaN",
    ),
    Case(
        "nan-inf",
        "1e999-in-results",
        "results",
        _results_text(
            json.dumps(fictional_results()).replace('"duration": 0.1', '"duration": 1e999')
        ),
        "not finite",
    ),
    Case(
        "surrogates",
        "lone-surrogate-in-title",
        "probe",
        _probe(HEADER.replace("title: t", 'title: "\\ud800"') + TAIL),
        # libyaml refuses the escape itself; the pure-Python parser makes the
        # character, which the loader then refuses.
        "lone surrogate|invalid Unicode character escape",
    ),
    Case(
        "surrogates",
        "lone-surrogate-in-results",
        "results",
        _results_text(json.dumps(fictional_results()).replace("c: ok", "\\udc80 c: ok")),
        "lone surrogate",
    ),
    Case(
        "limits",
        "19900-steps",
        "probe",
        _probe(HEADER + "steps:\n" + "  - {}\n" * 19_900 + "verdict: [c]\n"),
        "has 19900 items; the limit is 200",
    ),
    Case(
        "allocation",
        "199-sendall-of-16-MiB",
        "probe",
        _probe(
            HEADER
            + "steps:\n"
            + "".join(
                "  - {op: sendall, socket: a, bytes: 16777216, within: 0.1}\n" for _ in range(199)
            )
            + "  - {op: close, socket: a, name: c}\nverdict: [c]\n"
        ),
        "a probe may use at most",
    ),
    Case(
        "patterns",
        "id-with-trailing-newline",
        "probe",
        _probe(HEADER.replace("id: hostile", 'id: "hostile\\n"') + TAIL),
        "does not match",
    ),
    Case(
        "patterns",
        "step-name-with-trailing-newline",
        "probe",
        _probe(HEADER + 'steps: [{op: close, socket: a, name: "c\\n"}]\nverdict: ["c\\n"]\n'),
        "does not match",
    ),
    Case(
        "keyword",
        "5000-nested-parentheses",
        "keyword",
        _keyword("(" * 5000 + "x" + ")" * 5000),
        "-k expression is 10001 characters long",
    ),
    Case(
        "keyword",
        "900-nested-parentheses",
        "keyword",
        _keyword("(" * 900 + "x" + ")" * 900),
        "nested",
    ),
    Case("keyword", "450-nots", "keyword", _keyword("not " * 450 + "x"), "nested"),
    Case("keyword", "huge-expression", "keyword", _keyword("x or " * 100_000 + "x"), "long"),
    Case(
        "results-shape",
        "non-ascii-digits-in-os-version",
        "results",
        _results(platform__os_version="\u0661\u0662.\u00b2"),
        "does not match the results schema",
    ),
    Case(SHAPE, "703-verdicts", "results", _many_verdicts, ""),
    Case(SHAPE, "probes-not-a-list", "results", _results(probes={"a": 1}), "schema"),
    Case(
        "results-shape",
        "record-without-id",
        "results",
        _results(probes=[{"status": "ok"}]),
        "schema",
    ),
    Case(
        "results-shape",
        "observations-not-a-list",
        "results",
        _results(probes__0__observations=1),
        "schema",
    ),
    Case(
        "results-shape",
        "observation-without-fields",
        "results",
        _results(probes__0__observations=[{}]),
        "schema",
    ),
    Case(SHAPE, "platform-missing", "results", _results(platform=None), "schema"),
    Case(SHAPE, "verdict-a-number", "results", _results(probes__0__verdict=7), "schema"),
    Case("special-files", "symlink-to-dev-zero", "results", _symlink_to_zero, "character device"),
    Case("special-files", "fifo", "results", _fifo, "a FIFO"),
    Case("special-files", "sparse-200-MB", "results", _sparse_huge, "byte limit; not read"),
    # A valid probe must not poison a results file.
    Case(
        "poisoning",
        "5000-character-assumption-error",
        "probe",
        _probe(
            HEADER
            + TAIL
            + "assumptions: {all: {c: {outcome: raised, error: "
            + "E" * 5000
            + "}}}\n"
        ),
        "is 5000 characters long; the limit is 4096",
    ),
    Case(
        "poisoning",
        "250000-character-documented-summary",
        "probe",
        _probe(
            HEADER
            + TAIL
            + "documented: {linux: {source: s, quote: q, expect: {c: {summary: "
            + "x" * 250_000
            + "}}}}\n"
        ),
        "is 250000 characters long; the limit is 4096",
    ),
    Case(
        "poisoning",
        "documentation-over-32-KiB",
        "probe",
        _probe(
            HEADER
            + TAIL
            + "documented:\n"
            + "".join(f"  f{n}: {{source: s, quote: {'q' * 2000}}}\n" for n in range(20))
        ),
        "in every results record; the limit is 32768",
    ),
    Case(
        "poisoning",
        "verdict-longer-than-a-results-string",
        "act",
        acts.make_long_verdict_run,
        "held",
        acts.act_long_verdict_run,
        seconds=10.0,
    ),
    Case(
        "poisoning",
        "70-records-of-250000-characters",
        "act",
        acts.make_oversized_writes,
        "held",
        acts.act_oversized_writes,
        seconds=10.0,
    ),
    # Text from a results file never becomes a link, a mention or a command.
    Case(
        "markup", "links-and-mentions-in-markdown", "act", acts.make_links, "held", acts.act_links
    ),
    # A results file is bounded in memory and never crashes a reader.
    Case("memory", "16-MiB-of-empty-objects", "results", _empty_objects, "could take up to"),
    Case(
        "memory",
        "16-MiB-of-empty-objects-in-show-check-diff",
        "act",
        _empty_objects,
        "held",
        acts.act_every_reader_of_empty_objects,
        seconds=5.0,
    ),
    Case("memory", "record-without-observations", "results", _without_observations, ""),
    Case(
        "memory",
        "1500-character-platform-os",
        "results",
        _results(platform__os="fictional-" + "o" * 1490),
        "",
    ),
    # A probe touches nothing but its own loopback sockets (on the wire:
    # tests/hostile/test_confinement_on_the_wire.py).
    Case(
        "confinement",
        "tcp-connect-to-own-udp-port",
        "act",
        acts.make_nothing,
        "held",
        acts.act_connect_to_own_udp_port,
        seconds=5.0,
    ),
    # Interrupts and files.
    Case(
        "interrupts",
        "interrupt-at-every-point-of-the-results-lock",
        "act",
        acts.make_nothing,
        "held",
        acts.act_interrupted_lock,
        seconds=5.0,
    ),
    Case("interrupts", "symlinked-probe-file", "probe", acts.make_symlinked_probe, "symbolic link"),
    Case(
        "interrupts",
        "python-api-msg-flags-without-validation",
        "act",
        acts.make_nothing,
        "held",
        acts.act_python_api_flags,
        seconds=5.0,
    ),
]


@dataclass(frozen=True)
class RefusedText:
    """Probe text, given to the validator without a file, that it must refuse quickly."""

    cls: str  # the attack class (bench groups by it)
    name: str
    make: Callable[[], str]  # built when used: one of them is 27 MB
    expect: str  # a substring of one of its messages


def _alias_bomb_in_values() -> str:
    return "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 10)}]\n" for c in "bcdefghij"
    )


REFUSED_TEXTS: list[RefusedText] = [
    RefusedText("alias-bomb", "alias-bomb", _alias_bomb_in_values, "document expands to more than"),
    RefusedText("nesting", "deep-flow", lambda: "[" * 50_000, "more than 100 nested brackets"),
    RefusedText(
        "nesting",
        "deep-block",
        lambda: "".join("  " * i + "k:\n" for i in range(400)),
        "indented more than 200 columns",
    ),
    RefusedText(
        "nesting",
        "deep-block-within-the-indent-limit",
        lambda: "".join("  " * i + "k:\n" for i in range(60)),
        "nested deeper than 32",
    ),
    RefusedText(
        "nesting",
        "deep-block-on-one-line",
        lambda: "- " * 100_000 + "x",
        "more than 200 of '-', '?' and ':' on one line",
    ),
    RefusedText(
        "limits",
        "terabytes",
        lambda: (
            HEADER + "steps: [{op: send, socket: a, bytes: 1099511627776, name: s}]\nverdict: [s]\n"
        ),
        "is above the limit of",
    ),
    RefusedText(
        "limits",
        "a-year",
        lambda: (
            HEADER + "steps: [{op: sleep, seconds: 31536000}, {op: close, socket: a, name: c}]\n"
            "verdict: [c]\n"
        ),
        "is above the limit of 30",
    ),
    RefusedText(
        "limits",
        "long-limit",
        lambda: (
            HEADER + "time_limit: 31536000\nsteps: [{op: close, socket: a, name: c}]\n"
            "verdict: [c]\n"
        ),
        "is above the limit of 120",
    ),
    RefusedText(
        "limits",
        "too-many-threads",
        lambda: (
            HEADER
            + "steps:\n"
            + "".join(f"  - {{op: recv, socket: a, thread: t{i}}}\n" for i in range(9))
            + "  - {op: close, socket: a, name: c}\nverdict: [c]\n"
        ),
        "at most 8",
    ),
    RefusedText(
        "limits",
        "a-million-steps",
        lambda: HEADER + "steps:\n" + "  - {op: close, socket: a}\n" * 1_000_000 + "verdict: [c]\n",
        "the limit is",
    ),
    RefusedText(
        "patterns",
        "id-with-path",
        lambda: (
            HEADER.replace("id: hostile", "id: ../../etc/passwd")
            + "steps: [{op: close, socket: a, name: c}]\nverdict: [c]\n"
        ),
        "does not match",
    ),
]
