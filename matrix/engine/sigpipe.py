"""SIGPIPE: let a probe have a C program's default disposition, and record the death.

Why: CPython sets SIGPIPE to SIG_IGN at start-up, so a Python program sees
EPIPE where a C program is killed (POSIX send(): "[EPIPE] ... the SIGPIPE
signal is generated to the calling thread"). A probe asks for the default
with ``{op: sigpipe, disposition: default}``; a later send on a broken
connection then ends the child process, and the runner records that as the
observation ``killed by SIGPIPE`` for the step that was running, not as a
crash. Windows has no SIGPIPE: the step is ``unsupported``.

The child side (set_disposition) runs in the probe's process; the runner side
(killed_by_sigpipe) reads what the child printed before it died.
"""

from __future__ import annotations

import json
import signal
from typing import TYPE_CHECKING, Any

from matrix.language.timing_classes import KILLED

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.engine.observation_types import ChildResult, Observation
    from matrix.language.probe_types import Probe, Step

KILLED_SUMMARY = "killed by SIGPIPE"


def set_disposition(disposition: str) -> bool:
    """Set SIGPIPE to SIG_DFL or SIG_IGN; False where there is no SIGPIPE."""
    number = getattr(signal, "SIGPIPE", None)
    if number is None:
        return False
    signal.signal(number, signal.SIG_DFL if disposition == "default" else signal.SIG_IGN)
    return True


def _asks_for_default(probe: Probe) -> bool:
    return any(
        step.get("op") == "sigpipe" and step.get("disposition") == "default"
        for step in probe.get("steps", [])
    )


def _events(stdout: str) -> list[dict[str, Any]]:
    events = []
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events


def killed_by_sigpipe(probe: Probe, returncode: int | None, stdout: str) -> ChildResult | None:
    """The run's record fields when SIGPIPE killed a probe that asked for it, else None.

    The step that was running is the last one the child announced; it gets the
    observation ``killed by SIGPIPE``, later steps read ``not reached``.
    """
    number = getattr(signal, "SIGPIPE", None)
    if number is None or returncode != -number or not _asks_for_default(probe):
        return None
    from matrix.engine.observe import verdict_text

    events = _events(stdout)
    observations: list[Observation] = [
        e["observation"] for e in events if e.get("event") == "observation"
    ]
    started = [e for e in events if e.get("event") == "step"]
    reason = "the process was killed by SIGPIPE"
    if started:
        last = started[-1]
        index = int(last.get("index", -1))
        step: Step | dict[str, Any] = (
            probe["steps"][index] if 0 <= index < len(probe["steps"]) else {}
        )
        op = str(step.get("op", "?"))
        reason += f" in step {index + 1} ({op})"
        named = last.get("name")
        if named and all(obs.get("name") != named for obs in observations):
            observations.append(
                {
                    "name": named,
                    "op": op,
                    "socket": step.get("socket"),
                    "thread": step.get("thread"),
                    "step_index": index,
                    "outcome": "killed",
                    "summary": KILLED_SUMMARY,
                    "bound": None,
                    "elapsed": None,
                    "timing": KILLED,
                    "error": None,
                    "value": {"signal": "SIGPIPE"},
                }
            )
    return {
        "status": "ok",
        "reason": reason,
        "observations": observations,
        "verdict": verdict_text(observations, probe["verdict"]),
        "cleanup": [],
    }
