"""The state one probe's operations share, and the ways a step can stop short.

Handlers (``_ops_python``, ``_ops_native``) are plain functions of a
:class:`Context` and a step; the engine owns sequencing, threads and cleanup.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from matrix.engine.observe import StepRun

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.language.probe_types import SocketArg, Step


class HarnessError(Exception):
    """The scenario itself could not be carried out (not an observation)."""


class SetupUnavailable(Exception):
    """This machine lacks something the probe needs (IPv6, say): a skip."""


class Unsupported(Exception):
    """The platform (or the chosen API) has no such option, flag or call."""


class NotReached(Exception):
    """The step needs a socket that was never created (its accept failed)."""


class Context:
    """Sockets by name and what is known about them, for one probe run."""

    def __init__(self, family: str, api: str) -> None:
        self.family = family  # OS family for errno names and option encodings
        self.api = api  # "native" or "python"
        self.native: Any = None  # the NativeApi when api == "native"
        self.sockets: dict[str, Any] = {}
        self.kinds: dict[str, str] = {}
        self.bound: dict[str, tuple[Any, ...]] = {}
        self.runs: dict[str, StepRun] = {}
        # (socket, SO_RCVTIMEO/SO_SNDTIMEO) -> seconds, as set by setsockopt steps.
        self.timeouts: dict[tuple[str, str], float] = {}
        # Sockets whose latest bind step failed: a later listen binds them
        # itself, to an ephemeral wildcard port (see handlers.endpoints.listened).
        self.failed_binds: set[str] = set()
        # --api python: the descriptor number each socket had when a step closed
        # it (CPython forgets it), for a select/poll step with allow_closed.
        self.closed_numbers: dict[str, int] = {}
        # socket -> SO_LINGER seconds while the option is on (setup or a step):
        # a close may take that long, so cleanup bounds its closes by it.
        self.lingers: dict[str, float] = {}
        self.lock = threading.Lock()
        # Set by {op: sigpipe, disposition: default}: a step may now kill the
        # process, so the engine announces each step (matrix.engine.sigpipe).
        self.announce_steps = False

    def add(self, name: str, sock: Any, kind: str) -> None:
        with self.lock:
            self.sockets[name] = sock
            self.kinds[name] = kind

    def sock(self, step: Step, key: SocketArg = "socket") -> Any:
        """The socket the step's ``key`` names (see :meth:`named`)."""
        return self.named(step[key])

    def named(self, name: str) -> Any:
        """Socket ``name``, or NotReached when it was never made."""
        with self.lock:
            if name in self.sockets:
                return self.sockets[name]
        # Validation proved every name is declared or made by an accept/dup
        # step, so a missing one was never made: that step failed or is
        # still blocked. This step is then not reached, and the verdict forms.
        raise NotReached(f"socket {name!r} was never created (the step making it did not succeed)")

    def bound_address(self, name: str) -> tuple[Any, ...]:
        """Where socket ``name`` is (or was) bound: a closed socket's port stays known.

        A socket whose bind step did not succeed (it failed, or its option is
        unsupported here) has no address: a step that needs one is not
        reached, as a step on a socket that was never made is.
        """
        if name not in self.bound:
            if name in self.failed_binds:
                raise NotReached(f"socket {name!r} has no address: its bind step did not succeed")
            raise HarnessError(f"socket {name!r} has no bound address")
        return self.bound[name]

    def own_timeout(self, step: Step) -> float | None:
        """The timeout that may end ``step`` by itself: select/poll's own, or the
        SO_RCVTIMEO/SO_SNDTIMEO a setsockopt step gave its socket."""
        op = step["op"]
        if op in ("select", "poll"):
            return float(step["timeout"]) or None
        option = {"recv": "SO_RCVTIMEO", "recvfrom": "SO_RCVTIMEO", "drain": "SO_RCVTIMEO"}.get(
            op, "SO_SNDTIMEO" if op in ("send", "sendall", "sendto", "fill") else ""
        )
        return self.timeouts.get((step.get("socket", ""), option))

    def note_option(self, step: Step) -> None:
        """Remember a timeout or linger option a setsockopt step set successfully."""
        if "duration" in step and step.get("option") in ("SO_RCVTIMEO", "SO_SNDTIMEO"):
            self.timeouts[(step["socket"], step["option"])] = float(step["duration"])
        if "linger" in step:
            self.note_linger(step["socket"], step["linger"]["on"], step["linger"]["seconds"])

    def note_linger(self, name: str, on: bool, seconds: float) -> None:
        if on:
            self.lingers[name] = float(seconds)
        else:
            self.lingers.pop(name, None)

    def longest_linger(self) -> float:
        """The longest linger time any socket of this probe has (0 if none lingers).

        Accepted sockets inherit SO_LINGER from their listener on some systems
        (Wine's test_accept_inheritance checks it for Windows), so cleanup
        allows the longest one for every close rather than guess per socket.
        """
        return max(self.lingers.values(), default=0.0)

    def is_datagram(self, step: Step) -> bool:
        return self.kinds.get(step["socket"]) == "udp"
