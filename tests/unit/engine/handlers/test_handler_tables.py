"""Both APIs' handler tables cover the operations table: one handler per operation."""

from __future__ import annotations

from typing import Any

import pytest

from matrix.engine.handlers.native import HANDLERS as NATIVE_HANDLERS
from matrix.engine.handlers.python import HANDLERS as PYTHON_HANDLERS
from matrix.language.operations import OPERATIONS


@pytest.mark.parametrize("handlers", [PYTHON_HANDLERS, NATIVE_HANDLERS], ids=["python", "native"])
def test_every_operation_has_exactly_one_handler_per_api(handlers: dict[str, Any]) -> None:
    # join is handled by the engine's sequencing, not by a socket handler.
    assert set(handlers) | {"join"} == set(OPERATIONS)
    assert "join" not in handlers
