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
