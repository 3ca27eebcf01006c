"""Observations and verdicts: timing from the releasing step, at a call's own timeout, already
returned, and a step that never ran."""

from __future__ import annotations

from typing import Any

import pytest

from matrix.engine.context import Context
from matrix.engine.observe import StepRun, observation, release_time, verdict_part, verdict_text


def finished_run(
    op: str, seconds: float, outcome: str = "returned", own_timeout: float | None = None
) -> StepRun:
    run = StepRun({"op": op, "socket": "s"}, 0, started=100.0, finished=100.0 + seconds)
    run.outcome, run.summary, run.own_timeout = outcome, "r=[] w=[] x=[]", own_timeout
    run.error = {"portable": "EWOULDBLOCK"} if outcome == "raised" else None
    run.done.set()
    return run


@pytest.mark.parametrize(
    ("seconds", "timing"),
    [(2.0, "at its timeout"), (2.6, "at its timeout"), (1.9, "at its timeout"), (0.3, "immediate")],
)
def test_select_returning_at_its_own_timeout_does_not_state_the_seconds(
    seconds: float, timing: str
) -> None:
    run = finished_run("select", seconds, own_timeout=2.0)
    assert observation(run, name="x", bound=None)["timing"] == timing


def test_a_late_rcvtimeo_is_still_its_timeout_but_a_much_later_return_is_not() -> None:
    # Windows' SO_RCVTIMEO has been seen ~0.5 s late: no timing-class boundary there.
    late = finished_run("recv", 1.5, outcome="raised", own_timeout=1.0)
    assert verdict_part(observation(late, name="recv", bound=None)) == (
        "recv: EWOULDBLOCK (at its timeout)"
    )
    much_later = finished_run("recv", 3.0, outcome="raised", own_timeout=1.0)
    assert observation(much_later, name="recv", bound=None)["timing"] == "after ~3 s"


def test_a_thread_step_is_timed_from_the_latest_main_call_before_it_returned() -> None:
    run = finished_run("recv", 1.0)  # started at 100, returned at 101
    assert release_time(run, [99.0, 100.2, 100.9, 101.5]) == 100.9
    assert release_time(run, [99.0]) is None
    obs = observation(run, name="recv", bound=None, since=100.9)
    assert obs["timing"] == "immediate" and obs["elapsed"] == pytest.approx(0.1)


def test_a_join_on_a_step_that_had_already_returned_says_so() -> None:
    obs = observation(finished_run("recv", 0.0), name="late", bound=1.0, already=True)
    assert verdict_part(obs) == "late: r=[] w=[] x=[] (already returned)"


def test_own_timeout_comes_from_the_call_or_the_sockets_timeout_option() -> None:
    ctx = Context(family="linux", api="native")
    step: dict[str, Any] = {"op": "select", "read": ["s"], "timeout": 2}
    assert ctx.own_timeout(step) == 2.0
    assert ctx.own_timeout({**step, "timeout": 0}) is None
    assert ctx.own_timeout({"op": "recv", "socket": "s"}) is None
    ctx.note_option({"op": "setsockopt", "socket": "s", "option": "SO_RCVTIMEO", "duration": 1})
    assert ctx.own_timeout({"op": "recv", "socket": "s"}) == 1.0
    assert ctx.own_timeout({"op": "send", "socket": "s"}) is None


def test_verdict_names_a_step_that_never_ran() -> None:
    assert verdict_text([], ["missing"]) == "missing: not reached"


def state_run(seconds: float, value: dict[str, Any]) -> StepRun:
    run = StepRun({"op": "connection_state", "socket": "s"}, 0, started=100.0,
                  finished=100.0 + seconds)  # fmt: skip
    run.outcome, run.summary, run.value = "returned", "SYN_SENT", value
    run.done.set()
    return run


def test_an_unmet_state_wait_is_at_the_end_of_its_wait_not_an_os_time() -> None:
    obs = observation(state_run(3.0, {"matched": False, "reached_after": None}), name="s",
                      bound=5)  # fmt: skip
    assert verdict_part(obs) == "s: SYN_SENT (at the end of its wait)"
    assert obs["elapsed"] == pytest.approx(3.0)  # the details keep the wall time


@pytest.mark.parametrize(("reached", "timing"), [(0.0, "immediate"), (2.1, "after ~2 s")])
def test_a_state_step_is_timed_from_when_the_os_reached_the_state(
    reached: float, timing: str
) -> None:
    # The step took 2.6 s of wall time (slow listings); the OS had the state after `reached`.
    run = state_run(2.6, {"matched": True, "reached_after": reached})
    assert observation(run, name="s", bound=5)["timing"] == timing


def test_a_state_step_on_a_thread_is_timed_from_the_call_that_released_it() -> None:
    # Started at 100, saw the state from 102.1 on: the main sequence's close at 102.0
    # caused it, so the OS took 0.1 s, not the 2.1 s the thread had been waiting.
    run = state_run(2.6, {"matched": True, "reached_after": 2.1})
    assert observation(run, name="s", bound=None, since=102.0)["timing"] == "immediate"
    assert observation(run, name="s", bound=None)["timing"] == "after ~2 s"
