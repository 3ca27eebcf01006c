"""Run probes, each in its own child process with a hard time limit.

Rules of this module:
- Isolation is a child interpreter per probe (subprocess, the same on every
  OS): a probe that hangs, deadlocks, leaks threads or kills its interpreter
  is recorded as such and the run goes on.
- The child is started with ``-S`` and only the package on its path, because
  start-up time is paid once per probe.
- A child streams observations as it makes them, so even a probe killed at its
  time limit reports what it saw before.
- No child outlives its run: the request goes down stdin, which then stays
  open; a child exits when stdin reaches end-of-file (its parent ended, even
  by ``kill -9``: the OS closes the pipe) and when its own time limit passes.
- The longest probes start first (their last recorded duration, else their
  time limit): a long probe started last would keep the run going alone after
  every short one has ended, so the run lasts about the longest probe or the
  work divided among the workers, whichever is longer.
- Each child runs in its own process group (Windows: CREATE_NEW_PROCESS_GROUP;
  POSIX: its own session), so Ctrl-C reaches only this process, which kills
  the children and keeps every finished probe. Waits are sliced, because on
  Windows a long wait is not interrupted by Ctrl-C on Python 3.10-3.13.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from types import ModuleType
from typing import IO, Any, cast

import matrix
from matrix.engine.observation_types import ChildResult, Observation
from matrix.engine.sigpipe import killed_by_sigpipe
from matrix.probe.model import ProbeFile
from matrix.results.document_types import Record
from matrix.results.embedded_probe import probe_metadata
from matrix.results.records import combine_runs
from matrix.runner.prestart import WarmChildren

DEFAULT_TIME_LIMIT = 20.0
WARM_AT_LEAST = 3
STDERR_TAIL_CHARS = 2000
MAX_STDOUT_CHARS = 16 * 1024 * 1024
# Longest single wait: Ctrl-C is seen at least this often on every OS.
WAIT_SLICE = 0.2
PACKAGE_PARENT = str(Path(matrix.__file__).resolve().parent.parent)


def published_path(path: Path) -> str:
    """The probe's path as results may show it: never this machine's absolute path."""
    from matrix.probe.selection import builtin_probe_dir

    resolved = path.resolve()
    for base, prefix in ((builtin_probe_dir(), "probes/"), (Path.cwd(), "")):
        try:
            return prefix + resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def child_command(python: str = sys.executable) -> list[str]:
    return [python, "-S", "-m", "matrix.engine.child"]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    # The child must not write bytecode into a read-only install.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _parse_lines(stdout: str) -> tuple[list[Observation], ChildResult | None]:
    """What the child reported: its observations as it made them, and its result."""
    observations: list[Observation] = []
    result: ChildResult | None = None
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        if event.get("event") == "observation":
            observations.append(event["observation"])
        elif event.get("event") == "result":
            result = cast(ChildResult, event)  # the engine's own report (Engine.run)
    return observations, result


def popen_options(module: ModuleType = subprocess) -> dict[str, Any]:
    """Start a child in its own process group, so Ctrl-C goes to this process only.

    Windows delivers Ctrl-C to every process attached to the console unless a
    child is made with CREATE_NEW_PROCESS_GROUP (Microsoft Learn, "CTRL+C and
    CTRL+BREAK Signals"; "Process Creation Flags"); POSIX terminals send SIGINT
    to the foreground process group, which a child leaves with its own session.
    A capability check: only Windows' subprocess has the flag.
    """
    flag = getattr(module, "CREATE_NEW_PROCESS_GROUP", None)
    if flag is not None:
        return {"creationflags": int(flag)}
    return {"start_new_session": True}


def wait_in_slices(process: Any, deadline: float, slice_seconds: float = WAIT_SLICE) -> bool:
    """Wait for ``process`` until ``deadline`` (monotonic), never longer than a slice at once.

    True if it exited. Python 3.10-3.13 on Windows do not interrupt a long wait
    with Ctrl-C; a slice ends, and the interrupt is raised before the next one.
    """
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return process.poll() is not None
        try:
            process.wait(timeout=min(slice_seconds, remaining))
            return True
        except subprocess.TimeoutExpired:
            continue


def _collect(stream: IO[str], keep: list[str], limit: int) -> None:
    """Read ``stream`` to its end, keeping at most ``limit`` characters (the child never blocks)."""
    kept = 0
    with contextlib.suppress(OSError, ValueError):
        for line in stream:
            if kept < limit:
                keep.append(line)
                kept += len(line)


def _send(stream: IO[str], text: str) -> None:
    # A child that dies before reading closes the pipe: it is reported as crashed.
    with contextlib.suppress(OSError, ValueError):
        stream.write(text)
        stream.flush()


class Runner:
    """Runs probes; remembers its live children so an interrupt can stop them."""

    def __init__(self, command: list[str] | None = None, api: str = "native") -> None:
        # ``command`` replaces the child interpreter (the tests use stand-ins
        # that crash or hang); it must speak the protocol of ``_child``.
        # ``api``: "native" (C calls on raw descriptors) or "python" (socket module).
        self.command = command or child_command()
        self.api = api
        self._live: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()
        self._stopping = False
        self._warm: WarmChildren | None = None  # children started ahead (run_many)

    def _popen(self, ahead: bool = False) -> subprocess.Popen[str]:
        env = _child_env()
        if ahead:  # it will wait for its probe: let it import what the probe will need
            env["SOCKMATRIX_CHILD_PRELOAD"] = "1"
        return subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            **popen_options(),
        )

    def stop(self) -> None:
        """Kill every running child (on Ctrl-C): their probes count as not finished."""
        with self._lock:
            self._stopping = True
            live = list(self._live)
        for process in live:
            with contextlib.suppress(OSError):
                process.kill()

    def _communicate(
        self, process: subprocess.Popen[str], request: str, limit: float, started: float
    ) -> tuple[str, str, bool]:
        """Send the request, collect output, enforce the limit: (stdout, stderr, timed out)."""
        assert process.stdin and process.stdout and process.stderr
        out: list[str] = []
        err: list[str] = []
        threads = [
            threading.Thread(target=_send, args=(process.stdin, request), daemon=True),
            threading.Thread(
                target=_collect, args=(process.stdout, out, MAX_STDOUT_CHARS), daemon=True
            ),
            threading.Thread(
                target=_collect, args=(process.stderr, err, 64 * STDERR_TAIL_CHARS), daemon=True
            ),
        ]
        for thread in threads:
            thread.start()
        timed_out = False
        try:
            if not wait_in_slices(process, started + limit):
                timed_out = True
                process.kill()
            wait_in_slices(process, time.monotonic() + 10)
        finally:
            # Closing stdin is what tells a child its run is over.
            with contextlib.suppress(OSError, ValueError):
                process.stdin.close()
            for thread in threads[1:]:
                thread.join(5)
        return "".join(out), "".join(err), timed_out

    def run_one(self, probe: ProbeFile) -> Record:
        limit = float(probe.data.get("time_limit", DEFAULT_TIME_LIMIT))
        file, text = published_path(probe.path), probe_metadata(probe)
        spawned = time.time()
        started = time.monotonic()
        process = self._warm.take() if self._warm is not None else self._popen()
        with self._lock:
            self._live.add(process)
            stopping = self._stopping
        if stopping:
            process.kill()
        request = json.dumps({"probe": probe.data, "api": self.api, "time_limit": limit}) + "\n"
        try:
            stdout, stderr, timed_out = self._communicate(process, request, limit, started)
        finally:
            with self._lock:
                self._live.discard(process)
        record: Record = {
            "id": probe.id,
            "file": file,
            "sha256": probe.sha256,
            "probe": text,
            "duration": round(time.monotonic() - started, 3),
            "status": "crashed",  # until the child's output says otherwise, below
        }
        observations, result = _parse_lines(stdout)
        tail = stderr[-STDERR_TAIL_CHARS:]
        if result is not None and not timed_out:
            _reported(record, result)
            if result.get("api"):
                record["api"] = result["api"]
            if first_step_wall := result.get("first_step_wall"):
                record["overhead"] = round(first_step_wall - spawned, 4)
        elif timed_out:
            record["status"] = "timed-out"
            record["observations"] = observations
            record["verdict"] = None
            record["reason"] = f"still running after its time limit of {limit:g} s; killed"
        elif sigpipe := killed_by_sigpipe(probe.data, process.returncode, stdout):
            # The probe asked for SIGPIPE's default: its death is an observation.
            _reported(record, sigpipe)
            record["api"] = self.api
        else:
            code = process.returncode
            killed = f" (killed by signal {-code})" if code is not None and code < 0 else ""
            record["status"] = "crashed"
            record["observations"] = observations
            record["verdict"] = None
            record["reason"] = (
                f"child process exited with status {code}{killed} before reporting a result"
            )
        if tail and record["status"] != "ok":
            record["stderr_tail"] = tail
        return record

    def run_many(
        self,
        probes: Iterable[ProbeFile],
        workers: int,
        on_done: Callable[[Record], None] | None = None,
        repeat: int = 1,
        durations: Mapping[str, float] | None = None,
    ) -> list[Record]:
        """Run probes ``workers`` at a time, each ``repeat`` times, longest first
        (``durations``: each probe's last recorded duration, by id).

        Results come back in the probes' order, one combined record per probe
        (see :func:`combine_runs`); ``on_done`` gets each as soon as all of that
        probe's runs have finished.
        """
        ordered = list(probes)
        starting = start_order(ordered, durations or {})
        runs: dict[str, list[Record]] = {p.id: [] for p in ordered}
        records: dict[str, Record] = {}
        pool = ThreadPoolExecutor(max_workers=max(1, workers))
        # The next children start while earlier probes run (matrix.runner.prestart).
        # At least WARM_AT_LEAST wait even for one worker: a quick probe ends
        # well before its successor's interpreter has booted and preloaded.
        if ordered:
            ahead = functools.partial(self._popen, ahead=True)
            total = len(ordered) * repeat
            self._warm = WarmChildren(ahead, min(max(workers, WARM_AT_LEAST), total), total)
        try:
            # Round-robin over the probes so repeats of one probe do not run together.
            pending: set[Future[Record]] = {
                pool.submit(self.run_one, probe) for _ in range(repeat) for probe in starting
            }
            while pending:
                # Sliced: the main thread must see Ctrl-C promptly on Windows too.
                done, pending = wait(pending, timeout=WAIT_SLICE, return_when=FIRST_COMPLETED)
                for future in done:
                    run = future.result()
                    runs[run["id"]].append(run)
                    if len(runs[run["id"]]) < repeat:
                        continue
                    record = combine_runs(runs[run["id"]])
                    records[record["id"]] = record
                    if on_done is not None:
                        on_done(record)
        except BaseException:
            # Ctrl-C or SIGTERM: kill the children so their threads return, drop the rest.
            self.stop()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        finally:
            if self._warm is not None:
                self._warm.close()
            self._warm = None
        pool.shutdown(wait=True)
        return [records[p.id] for p in ordered if p.id in records]


def _reported(record: Record, result: ChildResult) -> None:
    """The fields of a run that ended: as the child reported them, or as the
    runner made them of a death by SIGPIPE."""
    record["status"] = result["status"]
    record["reason"] = result["reason"]
    record["observations"] = result["observations"]
    record["verdict"] = result["verdict"]
    record["cleanup"] = result.get("cleanup", [])


def expected_seconds(probe: ProbeFile, durations: Mapping[str, float]) -> float:
    """How long ``probe`` is expected to run: its last recorded duration, else its time limit."""
    known = durations.get(probe.id)
    if known is not None:
        return known
    return float(probe.data.get("time_limit", DEFAULT_TIME_LIMIT))


def start_order(probes: list[ProbeFile], durations: Mapping[str, float]) -> list[ProbeFile]:
    """``probes`` longest first (ties keep their order)."""
    return sorted(probes, key=lambda probe: -expected_seconds(probe, durations))


def default_workers(count: int) -> int:
    """Probes mostly wait on timers and sockets, not the CPU: run many at once."""
    return max(1, min(count, 16))
