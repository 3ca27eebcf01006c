"""Run one validated probe in this process and record what the OS did.

Rules of this module:
- It runs inside the probe's own child process (see ``_child``), so it only
  imports the standard library and the small pure modules beside it: every
  import here is paid once per probe.
- The engine sequences steps; the operations themselves are plain functions
  in ``_ops_native`` (the C API on raw descriptors, the default) or
  ``_ops_python`` (CPython's socket module, ``--api python``).
- Every socket step on the main sequence runs on a helper thread with a bound
  (``within``): a call the OS never returns from becomes the observation
  ``blocked``, and the main sequence goes on. Steps on named threads run
  concurrently; ``join`` observes them.
- A step's exception is an observation, never an error of the probe; so is a
  step on a socket that was never made (``not reached``). Only a broken
  scenario is a harness error.
- Cleanup always releases what is still blocked: shutdown and close of every
  socket (each close bounded: XNU's close() waits for threads inside a call on
  that descriptor, and a blocking close waits out the socket's linger time, so
  the bound is CLEANUP_CLOSE_SECONDS plus the longest linger the probe set), a
  throwaway connection to every listener (a closed Linux listener keeps
  accepting), then a bounded wait for every thread. Whatever could not finish
  is written down in ``cleanup``.
- Cleanup closes a native handle once: a socket it has taken over, or one whose
  close() is still running on another thread, is never closed again (Microsoft
  Learn, closesocket: "A Winsock client must never issue closesocket on s
  concurrently with another Winsock function call", and once a close returns
  the number may already name another socket).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from matrix.engine.context import Context, HarnessError, NotReached, SetupUnavailable, Unsupported
from matrix.engine.errno.portable import describe_exception
from matrix.engine.observe import StepRun, observation, release_time, verdict_text
from matrix.language.addresses import address_problem
from matrix.language.operations import DEFAULT_WITHIN, OPERATIONS
from matrix.language.os_families import os_family

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.engine.observation_types import ChildResult, ChildStatus, Observation
    from matrix.language.probe_types import Probe, Step

CLEANUP_JOIN_SECONDS = 2.0
CLEANUP_CLOSE_SECONDS = 1.0
APIS = ("native", "python")


class _StepThread:
    """A named thread that runs its steps in order."""

    def __init__(self, name: str, execute: Callable[[StepRun], None]) -> None:
        self.queue: queue.Queue[StepRun | None] = queue.Queue()
        self.execute = execute
        self.thread = threading.Thread(target=self._loop, name=f"probe-{name}", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while (run := self.queue.get()) is not None:
            self.execute(run)


def _handlers(api: str) -> tuple[dict[str, Any], Any]:
    """The handler table of ``api`` and its native layer (None for python)."""
    if api == "python":
        from matrix.engine.handlers.python import HANDLERS

        return HANDLERS, None
    from matrix.engine.abi.native_api import native_api
    from matrix.engine.handlers.native import HANDLERS as NATIVE_HANDLERS

    return NATIVE_HANDLERS, native_api()


class Engine:
    def __init__(
        self,
        probe: Probe,
        emit: Callable[[dict[str, Any]], None],
        api: str = "native",
    ) -> None:
        if api not in APIS:
            raise ValueError(f"api must be one of {APIS}, not {api!r}")
        self.probe = probe
        self.emit = emit
        self.api = api
        self.ctx = Context(family=os_family(sys.platform), api=api)
        self.handlers: dict[str, Any] = {}
        self.threads: dict[str, _StepThread] = {}
        self.observations: list[Observation] = []
        self.first_step_wall: float | None = None
        self.cleanup_notes: list[str] = []
        # When each main-sequence socket call began: what may release a thread step.
        self.main_starts: list[float] = []
        # Helper threads of main-sequence steps that may still be blocked.
        self.helpers: list[threading.Thread] = []

    # -- the scenario ---------------------------------------------------------
    def run(self) -> ChildResult:
        from matrix.engine.handlers.states import prepare as prepare_states
        from matrix.engine.setup_sockets import hand_over_to_native, setup

        try:
            self.handlers, self.ctx.native = _handlers(self.api)
            setup(self.ctx, self.probe)
            prepare_states(self.probe)
            if self.api == "native":
                hand_over_to_native(self.ctx)
        except SetupUnavailable as exc:
            self._cleanup()
            return self._result("skipped", str(exc))
        except HarnessError as exc:
            self._cleanup()
            return self._result("harness-error", str(exc))
        except Exception as exc:  # the native layer cannot load, say
            self._cleanup()
            return self._result("harness-error", f"setup failed: {exc}")
        try:
            for index, step in enumerate(self.probe["steps"]):
                self._main_step(index, step)
            self._observe_thread_steps()
            broken = [r for r in self.ctx.runs.values() if r.outcome == "harness-error"]
            if broken:
                raise HarnessError(broken[0].summary)
        except HarnessError as exc:
            self._cleanup()
            return self._result("harness-error", str(exc))
        self._cleanup()
        return self._result("ok", None)

    def _result(self, status: ChildStatus, reason: str | None) -> ChildResult:
        return {
            "status": status,
            "reason": reason,
            "api": self.api,
            "observations": self.observations,
            "verdict": verdict_text(self.observations, self.probe["verdict"])
            if status == "ok"
            else None,
            "first_step_wall": self.first_step_wall,
            "cleanup": self.cleanup_notes,
        }

    def _record(self, obs: Observation) -> None:
        self.observations.append(obs)
        self.emit({"event": "observation", "observation": obs})

    def _main_step(self, index: int, step: Step) -> None:
        if self.first_step_wall is None:
            self.first_step_wall = time.time()
        run = StepRun(step, index)
        if "name" in step:
            self.ctx.runs[step["name"]] = run
        op = step["op"]
        if "thread" in step:
            thread_name = step["thread"]
            if thread_name not in self.threads:
                self.threads[thread_name] = _StepThread(thread_name, self._execute)
            self.threads[thread_name].queue.put(run)
            return
        if op == "join":
            self._join(step)
            return
        if not OPERATIONS[op].socket_call:
            self._execute(run)
            if "name" in step:
                self._record(observation(run, name=step["name"], bound=None))
            return
        within = float(step.get("within", DEFAULT_WITHIN))
        self.main_starts.append(time.monotonic())
        helper = threading.Thread(
            target=self._execute, args=(run,), daemon=True, name=f"step-{index}"
        )
        helper.start()
        self.helpers.append(helper)
        run.done.wait(within)
        if run.outcome == "harness-error":
            raise HarnessError(f"step {index + 1} ({op}): {run.summary}")
        if "name" in step:
            self._record(observation(run, name=step["name"], bound=within))

    def _join(self, step: Step) -> None:
        target = self.ctx.runs[step["step"]]
        # It had returned before the latest main-sequence call began: nothing
        # since could have released it, so this join observes nothing new.
        latest = self.main_starts[-1] if self.main_starts else None
        finished = target.finished if target.done.is_set() else None
        already = (
            latest is not None
            and finished is not None
            and target.started is not None
            and target.started <= latest
            and finished < latest
        )
        target.done.wait(float(step["within"]))
        if "name" in step:
            since = release_time(target, self.main_starts)
            self._record(
                observation(
                    target,
                    name=step["name"],
                    bound=float(step["within"]),
                    since=since,
                    already=already,
                )
            )

    def _observe_thread_steps(self) -> None:
        for name, run in self.ctx.runs.items():
            if "thread" in run.step:
                since = release_time(run, self.main_starts)
                self._record(observation(run, name=name, bound=None, since=since))

    def _execute(self, run: StepRun) -> None:
        if self.ctx.announce_steps:
            self.emit({"event": "step", "index": run.index, "name": run.step.get("name")})
        run.own_timeout = self.ctx.own_timeout(run.step)
        run.started = time.monotonic()
        try:
            summary, value = self.handlers[run.step["op"]](self.ctx, run.step)
            run.outcome, run.summary, run.value = "returned", summary, value
        except HarnessError as exc:
            run.outcome, run.summary = "harness-error", str(exc)
        except Unsupported as exc:
            run.outcome, run.summary = "unsupported", str(exc)
        except NotReached as exc:
            run.outcome, run.summary = "not-reached", str(exc)
        except Exception as exc:
            run.outcome = "raised"
            run.error = describe_exception(exc, self.ctx.family)
            run.summary = run.error["portable"]
        finally:
            run.finished = time.monotonic()
            run.done.set()

    # -- cleanup --------------------------------------------------------------
    def _close_all(self) -> None:
        # Threads may still add sockets (an accept that cleanup woke): copy first.
        with self.ctx.lock:
            sockets = list(self.ctx.sockets.items())
        bound = self.close_bound()
        for name, sock in sockets:
            if not self._bounded(partial(self._close_quietly, sock), bound):
                note = f"close of {name!r} did not finish within {bound:g} s"
                if note not in self.cleanup_notes:
                    self.cleanup_notes.append(note)

    def close_bound(self) -> float:
        """How long one cleanup close may take: a blocking close waits out the linger."""
        return CLEANUP_CLOSE_SECONDS + self.ctx.longest_linger()

    def _close_quietly(self, sock: Any) -> None:
        from matrix.engine.abi.native_api import NativeSocket

        if not isinstance(sock, NativeSocket):
            from matrix.engine.handlers.python import close_quietly

            # CPython's close() forgets the descriptor before it calls
            # closesocket()/close() (socketmodule.c sock_close), so a second
            # close of the same object never reaches the OS.
            close_quietly(sock)
            return
        api = self.ctx.native
        with self.ctx.lock:
            # Closed, taken over by an earlier pass whose close may still be
            # running, or inside a close a probe step began: not again.
            if sock.closed or sock.closing or sock.in_close:
                return
            sock.closing = True
        with contextlib.suppress(OSError):
            api.shutdown(sock, 2)
        with contextlib.suppress(OSError):
            api.close(sock)
        if not sock.closed:
            # closesocket kept the handle (WSAEWOULDBLOCK: nonblocking with a
            # linger time): close it again in blocking mode, which waits out
            # the linger time instead of failing (closesocket, Microsoft Learn).
            with contextlib.suppress(OSError):
                api.set_blocking(sock, True)
                api.close(sock)

    @staticmethod
    def _bounded(action: Callable[[], None], seconds: float) -> bool:
        """Run ``action`` on a daemon thread; whether it finished within ``seconds``."""
        helper = threading.Thread(target=action, daemon=True, name="cleanup-close")
        helper.start()
        helper.join(seconds)
        return not helper.is_alive()

    def _cleanup(self) -> None:
        self._close_all()
        for name, kind in list(self.ctx.kinds.items()):
            address = self.ctx.bound.get(name)
            if kind in ("listener", "tcp") and address and address[1]:
                self._poke(address)
        for worker in self.threads.values():
            worker.queue.put(None)
        deadline = time.monotonic() + CLEANUP_JOIN_SECONDS
        waited = [(name, w.thread) for name, w in self.threads.items()]
        waited += [(h.name, h) for h in self.helpers]
        for name, thread in waited:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                self.cleanup_notes.append(f"thread {name!r} still blocked after cleanup")
        self._close_all()
        for name, run in self.ctx.runs.items():
            if run.done.is_set() and "thread" in run.step:
                self.cleanup_notes.append(f"{name}: finally {run.summary}")

    @staticmethod
    def _poke(address: tuple[Any, ...]) -> None:
        """Wake an accept() that close() did not wake (Linux) by connecting once."""
        if address_problem(address[0]) is not None:
            return
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        if address[0] in ("0.0.0.0", "::"):
            # A wildcard-bound listener: poke it on loopback (a connect to the
            # unspecified address means this host's primary address on the BSDs).
            address = ("::1" if family == socket.AF_INET6 else "127.0.0.1", address[1])
        try:
            with socket.socket(family, socket.SOCK_STREAM) as poke:
                poke.settimeout(0.5)
                poke.connect(address[:2])
        except OSError:
            pass
