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


class SlowReadClock(FakeClock):
    """Each read costs ``cost`` seconds of harness time (a listing of the whole table)."""

    def __init__(self, cost: float) -> None:
        super().__init__()
        self.cost = cost

    def read(self, reading: str) -> str:
        self.now += self.cost
        return reading


def test_a_state_already_there_is_reached_at_once_however_long_the_read_took() -> None:
    clock = SlowReadClock(cost=0.68)  # psutil's whole-table scan, measured on a loaded machine
    result = wait_for(
        lambda: clock.read("TIME_WAIT"),
        accepts(["TIME_WAIT"]),
        2,
        clock=clock,
        pause=clock.pause,
    )
    assert result.reached_after == 0.0
    assert result.seen_after == pytest.approx(0.68)


def test_a_state_that_came_later_is_timed_from_the_last_read_that_missed_it() -> None:
    clock = SlowReadClock(cost=0.3)
    readings = iter(["FIN_WAIT_1", "FIN_WAIT_1", "FIN_WAIT_2"])
    result = wait_for(
        lambda: clock.read(next(readings)),
        accepts(["FIN_WAIT_2"]),
        5,
        clock=clock,
        pause=clock.pause,
    )
    # Reads began at 0, 0.302 and 0.606 (each 0.3 s, pauses of 2 and 4 ms): the
    # second one still saw FIN_WAIT_1, so the OS took at least 0.302 s, and the
    # third ended at 0.906 s. Neither read's own cost is counted as the OS's.
    assert result.reached_after == pytest.approx(0.302)
    assert result.seen_after == pytest.approx(0.906)


def test_an_unmet_wait_has_no_reached_time() -> None:
    clock = FakeClock()
    result = wait_for(lambda: "SYN_SENT", accepts(["ESTABLISHED"]), 3, clock=clock,
                      pause=clock.pause)  # fmt: skip
    assert (result.matched, result.reached_after) == (False, None)
    assert result.seen_after == pytest.approx(3.0)
