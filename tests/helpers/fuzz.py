"""Hypothesis settings and seed texts shared by the fuzzers (tests/hostile/test_fuzz_*.py).

A fixed seed (derandomize) and no example database, so CI is reproducible.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from matrix.probe.selection import builtin_probe_dir

# Broad fuzzing of any input: arbitrary text, generated documents, mutations.
FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Fuzzers that generate each hostile class themselves: fewer, heavier examples.
FUZZ_CLASSES = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
REAL_PROBES = sorted(builtin_probe_dir().rglob("*.yaml"))
# The library's probes as text: the fuzzers' starting points.
REAL_TEXTS = [p.read_text(encoding="utf-8") for p in REAL_PROBES]

# Any JSON-like value (no NaN): generated probe documents, values dropped into results.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)


def key_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON-like value, as keys and indexes from the root (not the root)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += key_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += key_paths(child, (*prefix, index))
    return found
