"""The timing classes' words: everything the engine writes is a class validation accepts."""

from __future__ import annotations

import pytest

from matrix.engine.timing import timing_class
from matrix.language.timing_classes import NAMED_CLASSES, is_timing_class


@pytest.mark.parametrize("elapsed", [0.0, 0.3, 0.6, 1.4, 2.6, 59.7, 3600.0])
def test_every_class_the_engine_computes_is_one_validation_accepts(elapsed: float) -> None:
    assert is_timing_class(timing_class(elapsed))
    assert is_timing_class(timing_class(elapsed, blocked=True))


@pytest.mark.parametrize("name", NAMED_CLASSES)
def test_the_named_classes_are_accepted(name: str) -> None:
    assert is_timing_class(name)


@pytest.mark.parametrize(
    "text", ["immediatly", "after ~0 s", "after ~1s", "after 1 s", "after ~1 s ", "Immediate", ""]
)
def test_a_misspelt_class_is_not_one(text: str) -> None:
    assert not is_timing_class(text)
