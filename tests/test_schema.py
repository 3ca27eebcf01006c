"""The shipped schemas: generated from the operations table, described, consistent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from matrix.engine.handlers.native import HANDLERS as NATIVE_HANDLERS
from matrix.engine.handlers.python import HANDLERS as PYTHON_HANDLERS
from matrix.language.operations import OPERATIONS
from matrix.tools.schemas import (
    PROBE_SCHEMA_PATH,
    RESULTS_SCHEMA_PATH,
    probe_schema,
    results_schema,
)


def test_shipped_probe_schema_is_up_to_date() -> None:
    shipped = json.loads(PROBE_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert shipped == probe_schema(), "run: python -m matrix.tools.schemas"


def test_shipped_results_schema_is_up_to_date() -> None:
    shipped = json.loads(RESULTS_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert shipped == results_schema(), "run: python -m matrix.tools.schemas"


def test_schemas_are_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(probe_schema())
    jsonschema.Draft202012Validator.check_schema(results_schema())


@pytest.mark.parametrize("handlers", [PYTHON_HANDLERS, NATIVE_HANDLERS], ids=["python", "native"])
def test_every_operation_has_exactly_one_handler_per_api(handlers: dict[str, Any]) -> None:
    # join is handled by the engine's sequencing, not by a socket handler.
    assert set(handlers) | {"join"} == set(OPERATIONS)
    assert "join" not in handlers


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
