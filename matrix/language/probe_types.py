"""What a probe document says, as types: the probe, its sockets, its steps.

Rules of this module:
- Types only. The engine's modules run in every probe's child process, where
  each import is paid per probe: they import this module under
  ``TYPE_CHECKING`` only, so a probe's start-up never pays for it.
- The types follow the probe JSON Schema (matrix/tools/probe_schema.py): a key
  the schema requires is required here, every other key is optional. A value
  is one of these only after validation; raw YAML stays ``Any``.
- A step's keys are the union over every operation (matrix/language/ops_*.py):
  which of them an operation takes is the operations table's business.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class LingerValue(TypedDict):
    """SO_LINGER in seconds (matrix.language.arguments.LINGER_VALUE)."""

    on: bool
    seconds: int


class _RawFormat(TypedDict):
    format: str


class RawValue(_RawFormat, total=False):
    """Integers packed with ``struct`` exactly as given (arguments.RAW_VALUE)."""

    values: list[int]


# The arguments of which a setsockopt step gives exactly one: how its value is said.
SetValueArg = Literal["value", "linger", "duration", "raw"]

# Arguments whose value names a socket the step uses (operations.SOCKET_REFERENCE_ARGS).
SocketArg = Literal["socket", "to", "port_of", "peer"]

# A socket's options: integer socket options by name (SO_RCVBUF: 4096), plus
# `linger` (a LingerValue), `blocking` (bool) and `timeout` (seconds or None).
SocketOptions = dict[str, Any]


class SocketSpec(TypedDict, total=False):
    """One entry of ``sockets``: exactly one of pair, listener, tcp and udp."""

    pair: list[str]
    listener: str
    tcp: str
    udp: str
    bind: bool
    family: Literal["ipv4", "ipv6"]
    backlog: int
    # SocketOptions; for a pair, each end's name -> its SocketOptions.
    options: dict[str, Any]


# Every argument any operation takes, all optional (`as` is a keyword in Python,
# hence the functional form). Which ones an operation takes and requires is in
# matrix.language.operations.OPERATIONS.
_StepArgs = TypedDict(
    "_StepArgs",
    {
        # Keys every step may carry (operations.COMMON_STEP_ARGS).
        "name": str,
        "thread": str,
        "within": float,
        "note": str,
        # Sockets.
        "socket": str,
        "to": str,
        "as": str,
        "port_of": str,
        "peer": str,
        "address": str,
        "closed_port": bool,
        "how": Literal["RD", "WR", "RDWR"],
        "backlog": int,
        "options": dict[str, int],  # bind: integer options set right before it
        # Transfer.
        "bytes": int,
        "data": str,
        "flags": list[str],
        "limit": int,
        "of": list[str],
        # Options and modes.
        "option": str,
        "value": int,
        "linger": LingerValue,
        "raw": RawValue,
        "duration": float,
        "decode": Literal["int", "linger", "duration", "errno"],
        "length": bool,
        "blocking": bool,
        "seconds": float | None,  # settimeout's may be None; sleep's is a number
        # Readiness.
        "read": list[str],
        "write": list[str],
        "exceptional": list[str],
        "timeout": float,
        "sockets": list[str],
        "events": list[Literal["IN", "OUT", "PRI", "RDHUP"]],
        "allow_closed": bool,
        # TCP states.
        "expect": list[str],
        "wait": float,
        # Control.
        "disposition": Literal["default", "ignore"],
        "step": str,
    },
    total=False,
)


class Step(_StepArgs):
    """One step of a probe: ``op`` and that operation's arguments."""

    op: str


class Expectation(TypedDict, total=False):
    """What one observation should be: only the fields given are compared."""

    outcome: Literal["returned", "raised", "blocked"]
    error: str
    summary: str
    timing: str


class _Quote(TypedDict):
    source: str
    quote: str


class Citation(TypedDict, total=False):
    """A line of a public repository at a commit (matrix.language.evidence)."""

    repository: str
    commit: str
    path: str
    line: int
    last_line: int


class Documented(_Quote, Citation, total=False):
    """What a source says for one OS family: a quote, its source, what it implies.

    ``kind`` is prose (the default), test (a conformance test's line) or rule (a
    specification's rule, checked against ``os_version``); test and rule entries
    cite their line (Citation)."""

    kind: Literal["test", "rule", "prose"]
    expect: dict[str, Expectation]
    os_version: str


class BiteIssue(TypedDict):
    """A public issue or pull request that shows a behaviour."""

    url: str
    shows: str


class Bite(TypedDict):
    """A behaviour users keep filing bugs about (matrix.language.bites) that this probe shows."""

    behaviour: str
    issues: list[BiteIssue]


class _RuntimeRequired(_Quote):
    runtime: str
    effect: Literal["shields", "avoids", "partly", "documents"]
    says: str
    repository: str
    commit: str
    path: str
    line: int


class RuntimeEntry(_RuntimeRequired, total=False):
    """What a well-known runtime (matrix.language.runtimes) does about this probe's difference."""

    last_line: int


class _ProbeRequired(TypedDict):
    id: str
    title: str
    question: str
    tags: list[str]
    sources: list[str]
    sockets: list[SocketSpec]
    steps: list[Step]
    verdict: list[str]


class Probe(_ProbeRequired, total=False):
    """A validated probe document."""

    # Family -> one entry, or a list of them (matrix.language.evidence.by_family).
    documented: dict[str, Documented | list[Documented]]
    bites: list[Bite]
    runtimes: list[RuntimeEntry]
    # Family (or "all") -> step name -> what the code assumes it does.
    assumptions: dict[str, dict[str, Expectation]]
    notes: str
    time_limit: float
