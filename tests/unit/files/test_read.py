"""parse_json skips the surrogate walk only when no surrogate escape is in the text."""

from __future__ import annotations

import pytest

from matrix.files.read import Unreadable, parse_json


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1' + "0" * 45 + "}",  # a 46-digit integer
        '{"a": 1e999}',
        "[1, 2.5E0999]",
        "1" + "0" * 5000,  # a top-level integer Python cannot even convert
        '{"a": [0, -0.' + "0" * 400 + "1]}",
        '{"a": -1E+0400}',
        '{"a": 1' + "0" * 400 + ".5}",
        '{"a": NaN}',
        '{"a": "x\\ud800y"}',  # a lone surrogate, escaped
        '{"\\udfff": 1}',  # in a key
    ],
)
def test_refused_on_either_path(text: str) -> None:
    with pytest.raises(Unreadable):
        parse_json(text.encode())


@pytest.mark.parametrize(
    "text, value",
    [
        ('{"a": "' + "0" * 64 + '", "b": 12}', {"a": "0" * 64, "b": 12}),  # digits in a string
        ('{"a": 1e99, "b": 0.000001}', {"a": 1e99, "b": 0.000001}),
        ('{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a surrogate pair is one character
        ('{"a": "\\\\ud800"}', {"a": "\\ud800"}),  # an escaped backslash, then text
    ],
)
def test_accepted_on_either_path(text: str, value: object) -> None:
    assert parse_json(text.encode()) == value
