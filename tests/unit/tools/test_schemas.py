"""The shipped schemas: generated from the operations table, described, consistent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from matrix.tools.probe_schema import probe_schema
from matrix.tools.results_schema import results_schema
from matrix.tools.schemas import main as schemas_main
from matrix.tools.schemas import stale_schemas


def test_every_shipped_schema_is_up_to_date() -> None:
    assert stale_schemas() == [], "run: python -m matrix.tools.schemas"


def test_the_check_names_a_stale_schema(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("matrix.tools.schemas.schema_text", lambda build: "{}\n")
    assert schemas_main(["--check"]) == 1
    assert "probe.schema.json: out of date" in capsys.readouterr().err


def test_schemas_are_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(probe_schema())
    jsonschema.Draft202012Validator.check_schema(results_schema())


def _properties(schema: Any, trail: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            yield f"{trail}.{name}", sub
        for key, sub in schema.items():
            if key != "properties":
                yield from _properties(sub, f"{trail}/{key}")
        for name, sub in schema.get("properties", {}).items():
            yield from _properties(sub, f"{trail}.{name}")
    elif isinstance(schema, list):
        for index, sub in enumerate(schema):
            yield from _properties(sub, f"{trail}[{index}]")


def test_every_probe_field_has_a_description() -> None:
    undescribed = sorted(
        {
            trail
            for trail, sub in _properties(probe_schema())
            if isinstance(sub, dict)
            and "description" not in sub
            and "$ref" not in sub
            and "/if" not in trail
        }
    )
    assert undescribed == []


def _multi_type_arrays(node: Any, path: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        kinds = node.get("type")
        several = isinstance(kinds, list) and "array" in kinds and len(kinds) > 1
        if several and {"items", "minItems", "maxItems"} & node.keys():
            yield path
        for key, value in node.items():
            yield from _multi_type_arrays(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _multi_type_arrays(value, f"{path}/{index}")


def test_the_schemas_fastjsonschema_compiles_have_no_multi_type_with_array_keywords() -> None:
    # fastjsonschema 2.16 (Debian 12's, the oldest supported) compiles such a node
    # into a validator that raises UnboundLocalError on a string; results and
    # matrix files are validated by fastjsonschema, so they say it with anyOf.
    from matrix.tools.matrix_schema import matrix_schema

    assert list(_multi_type_arrays(results_schema())) == []
    assert list(_multi_type_arrays(matrix_schema())) == []


def test_an_expectation_in_a_results_record_may_be_a_word_or_a_list() -> None:
    import fastjsonschema

    from matrix.tools.results_schema import word_or_words

    validate = fastjsonschema.compile({"type": "object", "additionalProperties": word_or_words()})
    validate({"error": "EPIPE", "outcome": ["raised", "ok"]})
    for wrong in ({"error": []}, {"error": 5}, {"error": ["x"] * 9}):
        with pytest.raises(fastjsonschema.JsonSchemaValueException):
            validate(wrong)
