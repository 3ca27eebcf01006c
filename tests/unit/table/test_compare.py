"""What a cell shows: the parts of a verdict that are not the same on every platform."""

from __future__ import annotations

from matrix.table.compare import differing_parts


def test_differing_parts_fold_equal_parts_away() -> None:
    parts = differing_parts(["a: 1 · b: 2 · c: 3", "a: 1 · b: 9 · c: 3", "a: 1 · b: 2 · c: 4"])
    # A step whose part is not the same everywhere is shown on every platform.
    assert parts == {
        "a: 1 · b: 2 · c: 3": "b: 2 · c: 3",
        "a: 1 · b: 9 · c: 3": "b: 9 · c: 3",
        "a: 1 · b: 2 · c: 4": "b: 2 · c: 4",
    }
    assert differing_parts(["x: 1"]) == {"x: 1": ""}
    # The same parts in another order: the whole verdict is the difference.
    assert differing_parts(["a · b", "b · a"]) == {"a · b": "a · b", "b · a": "b · a"}


def test_documentation_lists_disagree_only_when_no_word_satisfies_both() -> None:
    from matrix.table.compare import documentation_says_differs

    def never(expect: object, observations: object) -> list[str]:
        return []

    # One entry per family, two documented-only families.
    agreeing = [[{"r": {"error": ["EPIPE", "ECONNRESET"]}}], [{"r": {"error": "ECONNRESET"}}]]
    disagreeing = [[{"r": {"error": ["EPIPE", "ENOTCONN"]}}], [{"r": {"error": "ECONNRESET"}}]]
    assert not documentation_says_differs(agreeing, [], never)  # type: ignore[arg-type]
    assert documentation_says_differs(disagreeing, [], never)  # type: ignore[arg-type]
