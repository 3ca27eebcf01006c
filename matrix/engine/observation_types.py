"""What the engine reports, as types: an observation per named step, and a run's result.

Rules of this module:
- Types only. The engine's modules run in every probe's child process, where
  each import is paid per probe: they import this module under
  ``TYPE_CHECKING`` only, so a probe's start-up never pays for it.
- The types follow the results JSON Schema (matrix/tools/results_schema.py):
  a key it requires is required here. The engine writes every key of an
  observation; a results file written by an older sockmatrix may lack the
  optional ones, so readers ``get`` them.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

# How a step ended. not-reached: its socket was never made; killed: the process
# died in this step, of SIGPIPE (matrix.engine.sigpipe).
Outcome = Literal[
    "returned", "raised", "blocked", "unsupported", "not-reached", "harness-error", "killed"
]


class ExceptionInfo(TypedDict, total=False):
    """The exception a step raised (matrix.engine.errno.portable.describe_exception)."""

    exception: str  # the Python class
    errno: int | None  # the raw number; None for CPython's own timeout
    name: str | None  # the platform's name for it (WSAECONNRESET)
    portable: str  # the name that compares across OSes (ECONNRESET)
    message: str


class _ObservationRequired(TypedDict):
    name: str
    op: str
    outcome: Outcome
    summary: str
    timing: str


class Observation(_ObservationRequired, total=False):
    """What one named step did (matrix.engine.observe.observation)."""

    socket: str | None
    thread: str | None
    step_index: int
    bound: float | None  # seconds waited before `blocked`
    elapsed: float | None  # seconds until it returned
    error: ExceptionInfo | None  # when the outcome is raised
    value: dict[str, Any]  # raw returned values, per operation


# Whether the child could run the probe (a record's status has more: see
# matrix.results.document_types.Status).
ChildStatus = Literal["ok", "skipped", "harness-error"]


class _ChildResultRequired(TypedDict):
    status: ChildStatus
    reason: str | None
    observations: list[Observation]
    verdict: str | None
    cleanup: list[str]


class ChildResult(_ChildResultRequired, total=False):
    """What a probe's run reports at its end: the child's ``result`` event
    (matrix.engine.scenario.Engine.run), or what the runner makes of a child that
    SIGPIPE killed (matrix.engine.sigpipe.killed_by_sigpipe)."""

    api: str
    first_step_wall: float | None  # time.time() of the first step
