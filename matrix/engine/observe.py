"""Observations and verdicts: what a step did, in words that compare across OSes.

Rules of this module:
- An observation is a snapshot of a :class:`StepRun` at one moment; ``blocked``
  means it had not returned by then.
- Elapsed time is measured from the moment something could have made the
  step return: its own start, or the latest main-sequence socket call that
  began before it returned (a ``close`` that released a blocked ``recv``). A
  step that had already returned before a ``join`` looked is reported as
  such, never as a fresh ``(immediate)`` return.
- A step that waits for a state (tcp_state, connection_state) is timed from
  when the OS reached the state, as its reads measured it (``reached_after``
  in its value, matrix.engine.tcpstate.wait), never from the end of the reads,
  whose cost is the harness's. One whose expected state never came is timed
  ``at the end of its wait``: that length is the probe's bound, not the OS's.
- A verdict part says what happened and its timing class; an ``unsupported``
  step says just ``unsupported`` (the reason is in the observation's summary,
  which the details show).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from matrix.engine.timing import timing_class
from matrix.language.timing_classes import ALREADY_RETURNED, AT_OWN_TIMEOUT, AT_WAIT_END

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.engine.observation_types import ExceptionInfo, Observation, Outcome
    from matrix.language.probe_types import Step

# Timers fire late, never this much early (Windows' tick is 15.6 ms) ...
TIMER_SLACK = 0.2
# ... and Windows' SO_RCVTIMEO has been seen up to ~0.5 s late: a return this
# long after the timeout is still the timeout (the details keep the seconds).
TIMER_LATE = 0.75


class StepRun:
    """One step's execution, shared between the thread running it and observers.

    A plain class, not a dataclass: importing dataclasses (with inspect) costs
    every probe's child 9 ms of CPU, the price of a large library.
    """

    __slots__ = (
        "done",
        "error",
        "finished",
        "index",
        "outcome",
        "own_timeout",
        "started",
        "step",
        "summary",
        "value",
    )

    def __init__(
        self,
        step: Step,
        index: int,
        started: float | None = None,
        finished: float | None = None,
    ) -> None:
        self.step = step
        self.index = index
        self.started = started
        self.finished = finished
        self.outcome: Outcome | None = None  # returned | raised | unsupported | not-reached
        self.summary = ""
        self.value: dict[str, Any] = {}
        self.error: ExceptionInfo | None = None
        # A timeout of its own that may end the call (select/poll's, SO_RCVTIMEO).
        self.own_timeout: float | None = None
        self.done = threading.Event()


def release_time(run: StepRun, main_starts: list[float]) -> float | None:
    """When the latest main-sequence socket call began before ``run`` returned."""
    if run.finished is None or run.started is None:
        return None
    candidates = [t for t in main_starts if run.started <= t <= run.finished]
    return max(candidates) if candidates else None


def observation(
    run: StepRun,
    *,
    name: str,
    bound: float | None,
    since: float | None = None,
    already: bool = False,
) -> Observation:
    """Snapshot of ``run`` as an observation named ``name``.

    ``since``: measure elapsed from this moment rather than from the step's own
    start (the main-sequence step that released it). ``already``: the step had
    returned before the observer (a ``join``) began to wait.
    """
    step = run.step
    if not run.done.is_set() or run.finished is None:
        return {
            "name": name,
            "op": step["op"],
            "socket": step.get("socket"),
            "thread": step.get("thread"),
            "step_index": run.index,
            "outcome": "blocked",
            "summary": "blocked",
            "bound": bound,
            "elapsed": None,
            "timing": timing_class(None, blocked=True),
            "error": None,
            "value": {},
        }
    # Engine._execute sets the outcome before it sets ``done``.
    assert run.outcome is not None
    start = run.started if since is None else max(since, run.started or since)
    elapsed = max(0.0, run.finished - (start or run.finished))
    timing = timing_class(elapsed)
    if already:
        timing = ALREADY_RETURNED
    elif _returned_at_own_timeout(run):
        timing = AT_OWN_TIMEOUT
    elif run.outcome == "returned" and run.value.get("matched") is False:
        timing = AT_WAIT_END
    elif run.outcome == "returned" and isinstance(run.value.get("reached_after"), (int, float)):
        # reached_after counts from the step's own start; like elapsed, the class
        # counts from what could have released it (a thread step's ``since``).
        reached_at = (run.started or 0.0) + float(run.value["reached_after"])
        timing = timing_class(max(0.0, reached_at - (start or reached_at)))
    return {
        "name": name,
        "op": step["op"],
        "socket": step.get("socket"),
        "thread": step.get("thread"),
        "step_index": run.index,
        "outcome": run.outcome,
        "summary": run.summary,
        "bound": bound,
        "elapsed": round(elapsed, 4),
        "timing": timing,
        "error": run.error,
        "value": run.value,
    }


def _returned_at_own_timeout(run: StepRun) -> bool:
    """A call that returned when its own timeout ran out.

    That wall time is the probe's choice (select's 2 s, SO_RCVTIMEO's 1 s), not
    the OS's behaviour: the verdict says "at its timeout" so that choosing 2 s
    or 3 s changes nothing, and a timer that fires a little late (Windows)
    does not cross a timing-class boundary.

    It counts whatever the call reported: a select that wakes at its timeout
    may still report a descriptor (Linux, on a socket another thread closed),
    and readiness that arrives within the same margin cannot be told from the
    timeout's own wake-up. So a probe keeps its timeouts far from the OS times
    it measures (the refused-connect probes wait 10 s for a ~2 s refusal).
    """
    timeout = run.own_timeout
    if not timeout or run.outcome not in ("returned", "raised"):
        return False
    if run.started is None or run.finished is None:
        return False
    own = run.finished - run.started
    return timeout - TIMER_SLACK <= own <= timeout + TIMER_LATE


def verdict_part(obs: Observation) -> str:
    outcome = obs["outcome"]
    if outcome == "blocked":
        return f"{obs['name']}: blocked"
    if outcome == "unsupported":
        return f"{obs['name']}: unsupported"
    if outcome == "not-reached":
        return f"{obs['name']}: not reached"
    if outcome == "killed":  # the process died in this step (SIGPIPE): no timing
        return f"{obs['name']}: {obs['summary']}"
    if outcome == "raised":
        error: ExceptionInfo = obs.get("error") or {}
        return f"{obs['name']}: {error['portable']} ({obs['timing']})"
    return f"{obs['name']}: {obs['summary']} ({obs['timing']})"


def verdict_text(observations: list[Observation], names: list[str]) -> str:
    by_name = {obs["name"]: obs for obs in observations}
    return " · ".join(
        verdict_part(by_name[name]) if name in by_name else f"{name}: not reached" for name in names
    )
