"""matrix.probe.quick_schema gives jsonschema's answer, which it replaces for a file that fits.

A yes where jsonschema says no would let a broken probe through validation; a no
where it says yes would hide references and options from the checks after the
schema (matrix.probe.schema.sound_view). Every comparison here is against
jsonschema itself, as matrix.probe.schema builds it (ECMA ``pattern``), so under
tox -e oldest it is also against the oldest jsonschema the project allows.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import pytest
from helpers.fuzz import FUZZ, REAL_TEXTS, json_values, key_paths
from helpers.paths import PROBE_LIBRARY
from hypothesis import given
from hypothesis import strategies as st

from matrix.probe import schema as probe_schema_module
from matrix.probe.quick_schema import UnknownKeyword, is_valid, unknown_keywords
from matrix.probe.schema import fits_schema, parts, probe_schema
from matrix.probe.yaml_lines import load_yaml


@functools.cache
def _jsonschema_validator(schema_text: str) -> Any:
    schema = json.loads(schema_text)
    cls = probe_schema_module._validator_class(probe_schema().get("$schema", ""))
    return cls(schema)


def jsonschema_says(schema: Any, value: Any) -> bool:
    return bool(_jsonschema_validator(json.dumps(schema, sort_keys=True)).is_valid(value))


LIBRARY = [load_yaml(text).data for text in REAL_TEXTS]


def test_the_probe_schema_uses_only_keywords_that_are_checked() -> None:
    assert unknown_keywords(probe_schema()) == set()


def test_a_keyword_it_does_not_check_is_refused_never_passed() -> None:
    with pytest.raises(UnknownKeyword):
        is_valid({"type": "string", "format": "email"}, "x")
    assert unknown_keywords({"properties": {"a": {"allOf": [{"format": "email"}]}}}) == {"format"}


def test_every_library_probe_fits_by_both() -> None:
    assert len(LIBRARY) == len(list(PROBE_LIBRARY.rglob("*.yaml")))
    for document in LIBRARY:
        assert fits_schema(document)
        assert jsonschema_says(probe_schema(), document), document["id"]


# jsonschema's quirks, as data: (schema, value, its answer). Each is checked
# against jsonschema too, so a jsonschema release that changed one would show.
QUIRKS: list[tuple[Any, Any, bool]] = [
    ({"type": "integer"}, 1.0, True),  # an integral float is an integer
    ({"type": "integer"}, 1.5, False),
    ({"type": "integer"}, True, False),  # a bool is no number
    ({"type": "number"}, False, False),
    ({"minimum": 1}, False, True),  # ... so bounds pass it by
    ({"enum": [1]}, True, False),
    ({"enum": ["a"]}, ["a"], False),
    ({"const": True}, 1, False),
    ({"const": 1}, 1.0, True),
    ({"const": [1]}, [True], False),
    ({"const": {"a": 1}}, {"a": 1.0}, True),
    ({"pattern": "^a$"}, "a\n", False),  # ECMA: $ is the very end
    ({"pattern": "^a$"}, 5, True),
    ({"uniqueItems": True}, [1, True], True),
    ({"uniqueItems": True}, [1, 1.0], False),
    ({"uniqueItems": True}, [[1], [True]], True),
    ({"uniqueItems": True}, [{"a": 1}, {"a": 1}], False),
    ({"uniqueItems": False}, [1, 1], True),
    # patternProperties and additionalProperties search keys with Python's re
    # (jsonschema's own), where $ also matches before a final newline.
    ({"patternProperties": {"^a$": {"type": "string"}}}, {"a\n": 1}, False),
    ({"additionalProperties": False, "patternProperties": {"^a": True}}, {"ab": 1}, True),
    ({"additionalProperties": False, "properties": {"a": True}}, {"b": 1}, False),
    ({"additionalProperties": {"type": "string"}, "properties": {"a": True}}, {"a": 1}, True),
    ({"additionalProperties": {"type": "string"}}, {"b": 1}, False),
    ({"propertyNames": {"maxLength": 1}}, {"ab": 1}, False),
    ({"maxLength": 1}, "\u00e9", True),  # code points, not bytes
    ({"maxLength": 1}, "e\u0301", False),
    ({"required": ["a"]}, [], True),
    ({"items": False}, [], True),
    ({"items": False}, [1], False),
    ({"oneOf": [True, True]}, 1, False),
    ({"anyOf": [False, True]}, 1, True),
    ({"not": {"type": "string"}}, "x", False),
    ({"if": {"const": 1}, "else": False}, 2, False),
    ({"if": {"const": 1}, "else": False}, 1, True),
    ({"if": {"const": 1}, "then": False}, 2, True),
    ({"then": False}, 1, True),  # then without if: no effect
    ({"exclusiveMinimum": 0}, 0, False),
    ({"exclusiveMaximum": 0}, -0.5, True),
    ({"maxProperties": 0}, {"a": 1}, False),
    ({"minItems": 1}, "x", True),
]


@pytest.mark.parametrize(("schema", "value", "answer"), QUIRKS)
def test_a_quirk_of_jsonschema_is_kept(schema: Any, value: Any, answer: bool) -> None:
    assert jsonschema_says(schema, value) is answer
    assert is_valid(schema, value) is answer


# Values near the schema's edges: bools beside 0 and 1, integral floats, a
# trailing newline after a pattern's match, bounds, the shapes of every type.
edge_values = st.sampled_from(
    [
        True,
        False,
        0,
        1,
        -1,
        1.0,
        2.5,
        0.0,
        None,
        "",
        "a",
        "a\n",
        "x" * 5000,
        "SO_RCVBUF",
        "SO_RCVBUF\n",
        "PEEK",
        "tcp",
        "ECONNRESET",
        [],
        {},
        ["a", "a"],
        [True, 1],
        [1, 1.0],
        2**31,
        -(2**31) - 1,
        65535,
        65536,
        10_000_000,
    ]
)


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    """A library probe with one to three values replaced, keys dropped or keys added."""
    document = copy.deepcopy(draw(st.sampled_from(LIBRARY)))
    for _ in range(draw(st.integers(1, 3))):
        *parents, last = draw(st.sampled_from(key_paths(document)))
        holder = document
        for part in parents:
            holder = holder[part]
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        if action == "replace":
            holder[last] = copy.deepcopy(draw(edge_values | json_values))
        elif action == "drop":
            del holder[last]
        elif isinstance(holder[last], dict):
            key = draw(st.sampled_from(["op", "note", "name", "x", "socket", "SO_LINGER"]))
            holder[last][key] = copy.deepcopy(draw(edge_values | json_values))
        elif isinstance(holder[last], list):
            # A copy: the edge values are shared objects, never to be changed.
            holder[last].append(copy.deepcopy(draw(edge_values | json_values)))
    return document


@FUZZ
@given(mutated_documents())
def test_a_mutated_probe_fits_by_both_or_by_neither(document: Any) -> None:
    assert fits_schema(document) == jsonschema_says(probe_schema(), document)


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key)
    return value if isinstance(value, list) else []


@FUZZ
@given(mutated_documents())
def test_each_part_of_a_mutated_probe_gets_the_same_answer(document: Any) -> None:
    """The parts sound_view asks about: each step, each socket, each evidence section."""
    per_op = parts().per_op
    for step in _list(document, "steps"):
        op = step.get("op") if isinstance(step, dict) else None
        if isinstance(op, str) and op in per_op:
            assert is_valid(per_op[op], step) == jsonschema_says(per_op[op], step), step
    sockets_schema = probe_schema()["properties"]["sockets"]["items"]
    for spec in _list(document, "sockets"):
        assert is_valid(sockets_schema, spec) == jsonschema_says(sockets_schema, spec), spec
    for key in ("documented", "runtimes", "bites"):
        if key in document:
            section = probe_schema()["properties"][key]
            assert is_valid(section, document[key]) == jsonschema_says(section, document[key])


# Small schemas of every checked keyword, nested, against any JSON value.
_leaf_schemas = st.one_of(
    st.builds(
        lambda t: {"type": t},
        st.sampled_from(["string", "integer", "number", "boolean", "null", "array", "object"]),
    ),
    st.builds(
        lambda t: {"type": t},
        st.lists(
            st.sampled_from(["string", "array", "integer"]), min_size=1, max_size=2, unique=True
        ),
    ),
    st.builds(lambda e: {"enum": e}, st.lists(edge_values, min_size=1, max_size=3)),
    st.builds(lambda c: {"const": c}, edge_values),
    st.builds(lambda p: {"pattern": p}, st.sampled_from(["^a$", "^[a-z]{0,3}$", "b", "^$"])),
    st.builds(
        lambda k, n: {k: n},
        st.sampled_from(
            ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]
        ),
        st.integers(0, 3),
    ),
    st.builds(
        lambda k, n: {k: n},
        st.sampled_from(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
        st.integers(-2, 2) | st.sampled_from([0.5, 1.0]),
    ),
    st.builds(lambda u: {"uniqueItems": u}, st.booleans()),
    st.builds(
        lambda r: {"required": r}, st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True)
    ),
    st.booleans(),
)


def _nest(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(["a", "b", "op"])
    return st.one_of(
        st.builds(lambda p: {"properties": p}, st.dictionaries(keys, children, max_size=2)),
        st.builds(
            lambda p, extra: {"properties": p, "additionalProperties": extra},
            st.dictionaries(keys, children, max_size=2),
            st.booleans() | children,
        ),
        st.builds(
            lambda p, extra: {"patternProperties": p, "additionalProperties": extra},
            st.dictionaries(st.sampled_from(["^a$", "^o"]), children, max_size=2),
            st.booleans(),
        ),
        st.builds(lambda s: {"propertyNames": s}, children),
        st.builds(lambda s: {"items": s}, children),
        st.builds(lambda s: {"not": s}, children),
        st.builds(
            lambda k, s: {k: s},
            st.sampled_from(["allOf", "anyOf", "oneOf"]),
            st.lists(children, min_size=1, max_size=3),
        ),
        st.builds(
            lambda c, t, e: {
                "if": c,
                **({"then": t} if t is not None else {}),
                **({"else": e} if e is not None else {}),
            },
            children,
            st.none() | children,
            st.none() | children,
        ),
        st.builds(
            lambda a, b: {**a, **b} if isinstance(a, dict) and isinstance(b, dict) else a,
            children,
            children,
        ),
    )


schemas = st.recursive(_leaf_schemas, _nest, max_leaves=8)
json_like = st.recursive(
    edge_values | json_values,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "op", "ab", "c"]), children, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(schemas, json_like)
def test_every_keyword_gives_jsonschemas_answer(schema: Any, value: Any) -> None:
    assert is_valid(schema, value) == jsonschema_says(schema, value), (schema, value)
