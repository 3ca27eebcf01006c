"""-k keyword expressions over probe ids and tags."""

from __future__ import annotations

import pytest

from matrix.probe.selection import KeywordError, KeywordMatcher


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("alpha", True),
        ("not alpha", False),
        ("close and alpha", True),
        ("close and not alpha", False),
        ("(beta or close) and alph", True),
        ("beta", False),
    ],
)
def test_keyword_expressions(expression: str, expected: bool) -> None:
    assert KeywordMatcher(expression).matches("alpha", ["close"]) is expected


@pytest.mark.parametrize("expression", ["", "and", "(alpha", "alpha or", "alpha )"])
def test_bad_keyword_expressions_are_usage_errors(expression: str) -> None:
    with pytest.raises(KeywordError):
        KeywordMatcher(expression)
