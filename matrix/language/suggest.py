"""The did-you-mean of every message that names a word the probe got wrong.

Rules: one wording for every suggestion; difflib is imported only when a
mistake is being worded, so a file that is right never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` for the closest candidate, or nothing."""
    import difflib

    close = difflib.get_close_matches(word[:64], list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
