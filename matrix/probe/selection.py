"""Where probes come from, and ``-k`` selection.

The built-in library ships inside the package as ``matrix/probes`` (an
installed wheel); in a source checkout it is the top-level ``probes/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import matrix

_PACKAGE = Path(matrix.__file__).resolve().parent


def builtin_probe_dir() -> Path:
    for candidate in (_PACKAGE / "probes", _PACKAGE.parent / "probes"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the built-in probe library is missing from this installation")


WordTest = Callable[[str], bool]


class KeywordError(ValueError):
    pass


_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")
MAX_EXPRESSION = 2000
MAX_NESTING = 50


class KeywordMatcher:
    """pytest-style ``-k``: words joined by and/or/not and parentheses.

    A word matches when it is a substring of the probe id or equals a tag.
    """

    def __init__(self, expression: str) -> None:
        # The parser recurses once per parenthesis or `not`: bound both, so a
        # hostile expression is a clean error, not a RecursionError.
        if len(expression) > MAX_EXPRESSION:
            raise KeywordError(
                f"-k expression is {len(expression)} characters long; the limit is {MAX_EXPRESSION}"
            )
        self.tokens = [t for t in _TOKEN.findall(expression) if t]
        if not self.tokens:
            raise KeywordError("empty -k expression")
        # Parse once to report syntax errors before anything runs.
        self._position = 0
        self._depth = 0
        self._parse_or(lambda word: True)
        if self._position != len(self.tokens):
            raise KeywordError(f"unexpected {self.tokens[self._position]!r} in -k expression")

    def matches(self, probe_id: str, tags: list[str]) -> bool:
        self._position = 0
        return self._parse_or(lambda word: word in probe_id or word in tags)

    def _peek(self) -> str | None:
        return self.tokens[self._position] if self._position < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise KeywordError("-k expression ends too early")
        self._position += 1
        return token

    def _parse_or(self, word_matches: WordTest) -> bool:
        result = self._parse_and(word_matches)
        while self._peek() == "or":
            self._take()
            result = self._parse_and(word_matches) or result
        return result

    def _parse_and(self, word_matches: WordTest) -> bool:
        result = self._parse_not(word_matches)
        while self._peek() == "and":
            self._take()
            result = self._parse_not(word_matches) and result
        return result

    def _parse_not(self, word_matches: WordTest) -> bool:
        token = self._take()
        if token in ("not", "("):
            self._depth += 1
            if self._depth > MAX_NESTING:
                raise KeywordError(
                    f"-k expression is nested more than {MAX_NESTING} deep (parentheses and not)"
                )
            try:
                if token == "not":
                    return not self._parse_not(word_matches)
                result = self._parse_or(word_matches)
                if self._take() != ")":
                    raise KeywordError("missing ')' in -k expression")
                return result
            finally:
                self._depth -= 1
        if token in ("and", "or", ")"):
            raise KeywordError(f"unexpected {token!r} in -k expression")
        return word_matches(token)
