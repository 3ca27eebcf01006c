"""A child killed by SIGPIPE: the death is an observation of the step that was running."""

from __future__ import annotations

import json
import signal

import pytest

from matrix.engine.sigpipe import killed_by_sigpipe


def test_killed_by_sigpipe_names_the_running_step_and_leaves_the_rest_not_reached() -> None:
    number = getattr(signal, "SIGPIPE", None)
    if number is None:
        pytest.skip("no SIGPIPE here")
    probe = {
        "steps": [
            {"op": "sigpipe", "disposition": "default", "name": "sigpipe"},
            {"op": "send", "socket": "local", "data": "x", "name": "first"},
            {"op": "send", "socket": "local", "data": "x", "name": "second"},
            {"op": "recv", "socket": "local", "name": "after"},
        ],
        "verdict": ["first", "second", "after"],
    }
    first = {"name": "first", "outcome": "raised", "timing": "immediate",
             "error": {"portable": "ECONNRESET"}, "summary": "ECONNRESET"}  # fmt: skip
    stdout = "\n".join(
        json.dumps(event)
        for event in [
            {"event": "step", "index": 1, "name": "first"},
            {"event": "observation", "observation": first},
            {"event": "step", "index": 2, "name": "second"},
        ]
    )
    record = killed_by_sigpipe(probe, -number, stdout + "\n{broken")
    assert record is not None
    assert record["status"] == "ok"
    assert record["verdict"] == (
        "first: ECONNRESET (immediate) · second: killed by SIGPIPE · after: not reached"
    )
    assert "step 3 (send)" in record["reason"]
    # Another signal, or a probe that did not ask for the default, is a crash.
    assert killed_by_sigpipe(probe, -9, stdout) is None
    assert killed_by_sigpipe({**probe, "steps": probe["steps"][1:]}, -number, stdout) is None
