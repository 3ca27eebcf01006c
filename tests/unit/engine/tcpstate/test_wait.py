"""Waiting for a TCP state: read until it comes or the bound passes, on a fake clock."""

from __future__ import annotations

import pytest

from matrix.engine.tcpstate.wait import accepts, wait_for


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def test_wait_returns_at_once_when_the_state_is_already_there() -> None:
    clock = FakeClock()
    result = wait_for(
        lambda: "TIME_WAIT", accepts(["TIME_WAIT"]), 2, clock=clock, pause=clock.pause
    )
    assert (result.seen, result.matched, result.reads, clock.pauses) == ("TIME_WAIT", True, 1, [])


def test_wait_reads_until_the_state_arrives() -> None:
    clock = FakeClock()
    readings = iter(["FIN_WAIT_1", "FIN_WAIT_1", "FIN_WAIT_2"])
    result = wait_for(
        lambda: next(readings), accepts(["FIN_WAIT_2"]), 2, clock=clock, pause=clock.pause
    )
    assert (result.seen, result.matched, result.reads) == ("FIN_WAIT_2", True, 3)
    assert clock.pauses == [0.002, 0.004]


def test_wait_reports_what_it_saw_at_the_bound() -> None:
    clock = FakeClock()
    result = wait_for(
        lambda: "ESTABLISHED", accepts(["CLOSE_WAIT"]), 1, clock=clock, pause=clock.pause
    )
    assert (result.seen, result.matched) == ("ESTABLISHED", False)
    assert clock.now == pytest.approx(101.0)  # waited exactly the bound, not more
    assert max(clock.pauses) == 0.05
    assert accepts(None)("ANYTHING") and accepts([])("X")
