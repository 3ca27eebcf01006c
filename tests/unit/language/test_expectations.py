"""Whether an observation fits an expectation: one word, or a list meaning any of them."""

from __future__ import annotations

from typing import Any

import pytest

from matrix.language.expectations import alternatives, fits, overlap, words

RESET = {"outcome": "raised", "error": {"portable": "ECONNRESET"}, "timing": "immediate"}


@pytest.mark.parametrize(
    ("expect", "expected"),
    [
        ({"error": "ECONNRESET"}, True),
        ({"error": ["EPIPE", "ECONNRESET"]}, True),
        ({"error": ["EPIPE", "ENOTCONN"]}, False),
        ({"outcome": "raised", "timing": ["after ~1 s", "immediate"]}, True),
        ({"outcome": "raised", "timing": "blocked"}, False),
        ({"summary": "None"}, False),  # no summary is not the word "None"
        ({"error": 7}, False),  # a hostile value never fits by accident
        ({}, True),
    ],
)
def test_an_observation_fits_when_every_field_has_one_of_its_words(
    expect: dict[str, Any], expected: bool
) -> None:
    assert fits(expect, RESET) is expected


def test_words_read_as_alternatives() -> None:
    assert words(["ENOTCONN", "EPIPE"]) == "ENOTCONN or EPIPE"
    assert words("EOF") == "EOF"
    assert alternatives(["a", 1]) == ("a", "1")


def test_two_fields_overlap_when_one_word_satisfies_both() -> None:
    assert overlap(["EPIPE", "ECONNRESET"], "ECONNRESET")
    assert not overlap(["EPIPE"], ["ECONNRESET", "ENOTCONN"])
