"""Operations that steer the scenario or the process rather than a socket.

Rules: entries are data only (see matrix.language.operations for what an entry must
say); each has exactly one handler in matrix.engine.handlers.native and
matrix.engine.handlers.python.
matrix.language.operations assembles the families into OPERATIONS.
"""

from __future__ import annotations

from matrix.language.arguments import SECONDS, Operation

CONTROL: dict[str, Operation] = {
    "sigpipe": Operation(
        "Set this process's SIGPIPE disposition. `default` is what a C program has (Python "
        "ignores SIGPIPE): a send on a broken connection then kills the probe's process, "
        "which is recorded as the observation `killed by SIGPIPE` for the step that was "
        "running. `unsupported` where there is no SIGPIPE (Windows). Main sequence only.",
        {
            "disposition": {
                "enum": ["default", "ignore"],
                "description": "SIG_DFL or SIG_IGN.",
            }
        },
        ("disposition",),
        socket_call=False,
    ),
    "sleep": Operation(
        "Wait on the main sequence (or on a thread).",
        {"seconds": {**SECONDS, "description": "How long."}},
        ("seconds",),
        socket_call=False,
    ),
    "join": Operation(
        "Wait for a step on a thread, up to `within` seconds. Observes that step's outcome "
        "at this moment: `blocked` if it has not returned yet.",
        {
            "step": {"type": "string", "description": "Name of a step that runs on a thread."},
            "within": {**SECONDS, "description": "Bound in seconds."},
        },
        ("step", "within"),
        socket_call=False,
    ),
}
