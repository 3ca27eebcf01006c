"""Elapsed times folded into the timing classes a verdict shows."""

from __future__ import annotations

import pytest

from matrix.engine.timing import IMMEDIATE_LIMIT, timing_class


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (0.0, "immediate"),
        (0.2, "immediate"),
        (IMMEDIATE_LIMIT - 0.01, "immediate"),
        (0.5, "after ~1 s"),
        (0.6, "after ~1 s"),
        (1.05, "after ~1 s"),
        (1.4, "after ~1 s"),
        (2.02, "after ~2 s"),
        (2.3, "after ~2 s"),
    ],
)
def test_elapsed_times_fold_into_classes(elapsed: float, expected: str) -> None:
    assert timing_class(elapsed) == expected


def test_blocked_wins_over_elapsed() -> None:
    assert timing_class(0.1, blocked=True) == "blocked"
    assert timing_class(None) == "blocked"


def test_a_whole_second_wait_is_half_a_second_from_both_boundaries() -> None:
    # A 1 s linger on a slow runner measures 1.0-1.4 s: always one class.
    assert {timing_class(1.0 + jitter / 10) for jitter in range(5)} == {"after ~1 s"}
