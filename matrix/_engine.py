"""Run one validated probe in this process and record what the OS did.

Rules of this module:
- It runs inside the probe's own child process (see ``_child``), so it only
  imports the standard library and the small pure modules beside it: every
  import here is paid once per probe.
- Every socket step on the main sequence runs on a helper thread with a bound
  (``within``): a call the OS never returns from becomes the observation
  ``blocked``, and the main sequence goes on. Steps on named threads run
  concurrently; ``join`` observes them.
- A step's exception is an observation, never an error of the probe. Only a
  broken scenario (a socket that was never made) is a harness error.
- Cleanup always releases what is still blocked: shutdown and close of every
  socket, a throwaway connection to every listener (a closed Linux listener
  keeps accepting), then a bounded wait for every thread.
"""

from __future__ import annotations

import contextlib
import queue
import select
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matrix._addresses import LOOPBACK, address_problem, destination_problem
from matrix._errors import describe_exception, os_family, portable_name, raw_name
from matrix._operations import DEFAULT_WITHIN, MAX_BYTES, OPERATIONS
from matrix._option_table import OptionRefused, checked_set, resolve
from matrix._options import (
    decode_duration,
    decode_linger,
    encode_duration,
    encode_linger,
    linger_size,
)
from matrix._timing import timing_class

FAMILIES = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}
SHUTDOWN_HOW = {"RD": socket.SHUT_RD, "WR": socket.SHUT_WR, "RDWR": socket.SHUT_RDWR}
POST_CONNECT_OPTIONS = ("blocking", "timeout")
CLEANUP_JOIN_SECONDS = 2.0


class HarnessError(Exception):
    """The scenario itself could not be carried out (not an observation)."""


class SetupUnavailable(Exception):
    """This machine lacks something the probe needs (IPv6, say): a skip."""


@dataclass
class StepRun:
    """One step's execution, shared between the thread running it and observers."""

    step: dict[str, Any]
    index: int
    started: float | None = None
    finished: float | None = None
    outcome: str | None = None  # returned | raised | unsupported
    summary: str = ""
    value: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    done: threading.Event = field(default_factory=threading.Event)


def observation(
    run: StepRun, *, name: str, bound: float | None, since: float | None = None
) -> dict[str, Any]:
    """Snapshot of ``run`` as an observation named ``name``.

    ``since``: measure elapsed from this moment rather than from the step's own
    start (``join`` asks how long after *it* began waiting the step returned).
    """
    base: dict[str, Any] = {
        "name": name,
        "op": run.step["op"],
        "socket": run.step.get("socket"),
        "thread": run.step.get("thread"),
        "step_index": run.index,
    }
    if not run.done.is_set() or run.finished is None:
        return {
            **base,
            "outcome": "blocked",
            "summary": "blocked",
            "bound": bound,
            "elapsed": None,
            "timing": timing_class(None, blocked=True),
            "error": None,
            "value": {},
        }
    start = run.started if since is None else max(since, run.started or since)
    elapsed = max(0.0, run.finished - (start or run.finished))
    return {
        **base,
        "outcome": run.outcome,
        "summary": run.summary,
        "bound": bound,
        "elapsed": round(elapsed, 4),
        "timing": timing_class(elapsed),
        "error": run.error,
        "value": run.value,
    }


def verdict_part(obs: dict[str, Any]) -> str:
    if obs["outcome"] == "blocked":
        return f"{obs['name']}: blocked"
    if obs["outcome"] == "killed":  # the process died in this step (SIGPIPE): no timing
        return f"{obs['name']}: {obs['summary']}"
    if obs["outcome"] == "raised":
        return f"{obs['name']}: {obs['error']['portable']} ({obs['timing']})"
    return f"{obs['name']}: {obs['summary']} ({obs['timing']})"


def verdict_text(observations: list[dict[str, Any]], names: list[str]) -> str:
    by_name = {obs["name"]: obs for obs in observations}
    return " · ".join(
        verdict_part(by_name[name]) if name in by_name else f"{name}: not reached" for name in names
    )


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


class Engine:
    def __init__(self, probe: dict[str, Any], emit: Callable[[dict[str, Any]], None]) -> None:
        self.probe = probe
        self.emit = emit
        self.family = os_family(sys.platform)
        self.sockets: dict[str, socket.socket] = {}
        self.kinds: dict[str, str] = {}
        self.bound: dict[str, tuple[Any, ...]] = {}
        self.runs: dict[str, StepRun] = {}
        self.threads: dict[str, _StepThread] = {}
        self.observations: list[dict[str, Any]] = []
        self.first_step_wall: float | None = None
        self.cleanup_notes: list[str] = []
        # Helper threads of main-sequence steps that may still be blocked.
        self.helpers: list[threading.Thread] = []
        # After `sigpipe: default` a step may kill the process: announce each
        # step so the runner can say which one (matrix._sigpipe).
        self.announce_steps = False

    # -- the scenario ---------------------------------------------------------
    def run(self) -> dict[str, Any]:
        try:
            self._setup()
        except SetupUnavailable as exc:
            self._cleanup()
            return self._result("skipped", str(exc))
        except HarnessError as exc:
            self._cleanup()
            return self._result("harness-error", str(exc))
        try:
            for index, step in enumerate(self.probe["steps"]):
                self._main_step(index, step)
            self._observe_thread_steps()
            broken = [r for r in self.runs.values() if r.outcome == "harness-error"]
            if broken:
                raise HarnessError(broken[0].summary)
        except HarnessError as exc:
            self._cleanup()
            return self._result("harness-error", str(exc))
        self._cleanup()
        return self._result("ok", None)

    def _result(self, status: str, reason: str | None) -> dict[str, Any]:
        return {
            "status": status,
            "reason": reason,
            "observations": self.observations,
            "verdict": verdict_text(self.observations, self.probe["verdict"])
            if status == "ok"
            else None,
            "first_step_wall": self.first_step_wall,
            "cleanup": self.cleanup_notes,
        }

    def _record(self, obs: dict[str, Any]) -> None:
        self.observations.append(obs)
        self.emit({"event": "observation", "observation": obs})

    def _main_step(self, index: int, step: dict[str, Any]) -> None:
        if self.first_step_wall is None:
            self.first_step_wall = time.time()
        run = StepRun(step, index)
        if "name" in step:
            self.runs[step["name"]] = run
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
        else:
            within = float(step.get("within", DEFAULT_WITHIN))
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
            return
        if "name" in step:
            self._record(observation(run, name=step["name"], bound=None))

    def _join(self, step: dict[str, Any]) -> None:
        target = self.runs[step["step"]]
        began = time.monotonic()
        target.done.wait(float(step["within"]))
        if "name" in step:
            self._record(
                observation(target, name=step["name"], bound=float(step["within"]), since=began)
            )

    def _observe_thread_steps(self) -> None:
        for name, run in self.runs.items():
            if "thread" in run.step:
                self._record(observation(run, name=name, bound=None))

    def _execute(self, run: StepRun) -> None:
        if self.announce_steps:
            self.emit({"event": "step", "index": run.index, "name": run.step.get("name")})
        run.started = time.monotonic()
        try:
            handler = getattr(self, "op_" + run.step["op"])
            summary, value = handler(run.step)
            run.outcome, run.summary, run.value = "returned", summary, value
        except HarnessError as exc:
            run.outcome, run.summary = "harness-error", str(exc)
        except _Unsupported as exc:
            run.outcome, run.summary = "unsupported", str(exc)
        except Exception as exc:
            run.outcome = "raised"
            run.error = describe_exception(exc, self.family)
            run.summary = run.error["portable"]
        finally:
            run.finished = time.monotonic()
            run.done.set()

    # -- setup ----------------------------------------------------------------
    def _new_socket(self, family_name: str, kind: int) -> socket.socket:
        try:
            return socket.socket(FAMILIES[family_name], kind)
        except OSError as exc:
            if family_name == "ipv6":
                raise SetupUnavailable(f"IPv6 is not available here: {exc}") from None
            raise

    def _bind_loopback(self, sock: socket.socket, family_name: str) -> None:
        try:
            sock.bind((LOOPBACK[family_name], 0))
        except OSError as exc:
            if family_name == "ipv6":
                raise SetupUnavailable(f"cannot bind ::1: {exc}") from None
            raise

    def _apply_options(self, sock: socket.socket, options: dict[str, Any], post: bool) -> None:
        for key, value in options.items():
            if (key in POST_CONNECT_OPTIONS) != post:
                continue
            if key == "blocking":
                sock.setblocking(bool(value))
            elif key == "timeout":
                sock.settimeout(value)
            elif key == "linger":
                sock.setsockopt(*encode_linger(value["on"], value["seconds"], self.family))
            else:
                constants = self._allowed_option(key, "value", value)
                if constants is None:
                    raise SetupUnavailable(f"{key} does not exist on this platform")
                sock.setsockopt(*constants, value)

    def _setup(self) -> None:
        for spec in self.probe["sockets"]:
            family_name = spec.get("family", "ipv4")
            options = spec.get("options", {})
            if "pair" in spec:
                self._setup_pair(spec["pair"], family_name, options)
            elif "listener" in spec:
                sock = self._new_socket(family_name, socket.SOCK_STREAM)
                self._add(spec["listener"], sock, "listener")
                self._apply_options(sock, options, post=False)
                self._bind_loopback(sock, family_name)
                sock.listen(int(spec.get("backlog", 8)))
                self.bound[spec["listener"]] = sock.getsockname()
                self._apply_options(sock, options, post=True)
            elif "tcp" in spec:
                sock = self._new_socket(family_name, socket.SOCK_STREAM)
                self._add(spec["tcp"], sock, "tcp")
                self._apply_options(sock, options, post=False)
                self._apply_options(sock, options, post=True)
            else:
                sock = self._new_socket(family_name, socket.SOCK_DGRAM)
                self._add(spec["udp"], sock, "udp")
                self._apply_options(sock, options, post=False)
                if spec.get("bind", True):
                    self._bind_loopback(sock, family_name)
                    self.bound[spec["udp"]] = sock.getsockname()
                self._apply_options(sock, options, post=True)
        self._prepare_state_ops()

    def _prepare_state_ops(self) -> None:
        """Pay the state operations' imports before the first step (matrix._conn_table)."""
        ops = {step["op"] for step in self.probe["steps"]}
        if "tcp_state" in ops or "connection_state" in ops:
            import matrix._state_ops  # noqa: F401
        if "connection_state" in ops:
            from matrix._conn_table import prepare

            prepare()

    def _setup_pair(self, names: list[str], family_name: str, options: dict[str, Any]) -> None:
        client_name, server_name = names
        client_options = options.get(client_name, {})
        server_options = options.get(server_name, {})
        listener = self._new_socket(family_name, socket.SOCK_STREAM)
        try:
            # Set on the listener too: buffer sizes must be in place before the
            # handshake to shape the window, and accepted sockets inherit them.
            self._apply_options(listener, server_options, post=False)
            self._bind_loopback(listener, family_name)
            listener.listen(1)
            client = self._new_socket(family_name, socket.SOCK_STREAM)
            self._add(client_name, client, "pair")
            self._apply_options(client, client_options, post=False)
            client.connect(listener.getsockname())
            server, _ = listener.accept()
        finally:
            listener.close()
        self._add(server_name, server, "pair")
        self._apply_options(server, server_options, post=False)
        for name, sock, opts in (
            (client_name, client, client_options),
            (server_name, server, server_options),
        ):
            self.bound[name] = sock.getsockname()
            self._apply_options(sock, opts, post=True)

    def _add(self, name: str, sock: socket.socket, kind: str) -> None:
        self.sockets[name] = sock
        self.kinds[name] = kind

    def _sock(self, step: dict[str, Any], key: str = "socket") -> socket.socket:
        name = step[key]
        if name not in self.sockets:
            raise HarnessError(f"socket {name!r} does not exist (yet)")
        return self.sockets[name]

    # -- operations: each returns (summary, value) ----------------------------
    @staticmethod
    def _payload(step: dict[str, Any]) -> bytes:
        if "data" in step:
            return str(step["data"]).encode("utf-8")
        return b"x" * int(step["bytes"])

    def op_send(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sent = self._sock(step).send(self._payload(step))
        return f"{sent} bytes", {"bytes": sent}

    def op_sendall(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        payload = self._payload(step)
        self._sock(step).sendall(payload)
        return "ok", {"bytes": len(payload)}

    def op_fill(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sock = self._sock(step)
        limit = int(step.get("limit", MAX_BYTES))
        chunk = b"f" * 4096
        total = 0
        saved_timeout = sock.gettimeout()
        sock.setblocking(False)
        try:
            would_block_in_a_row = 0
            while total < limit and would_block_in_a_row < 2:
                try:
                    total += sock.send(chunk[: limit - total])
                    would_block_in_a_row = 0
                except BlockingIOError:
                    # The kernel may still move queued bytes into the peer's
                    # receive buffer; only a second refusal means full.
                    would_block_in_a_row += 1
                    time.sleep(0.05)
        finally:
            sock.settimeout(saved_timeout)
        return "send buffer full" if total < limit else "limit reached", {"bytes": total}

    def op_recv(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = self._sock(step).recv(int(step.get("bytes", 65536)))
        return ("EOF" if not data else f"{len(data)} bytes"), {"bytes": len(data)}

    def op_drain(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sock = self._sock(step)
        received = 0
        try:
            while data := sock.recv(65536):
                received += len(data)
        except OSError as exc:
            ended = describe_exception(exc, self.family)
            return self._drain_summary(step, received, ended["portable"]), {
                "bytes": received,
                "ended": ended,
            }
        return self._drain_summary(step, received, "EOF"), {"bytes": received, "ended": "EOF"}

    def _drain_summary(self, step: dict[str, Any], received: int, ending: str) -> str:
        if "of" not in step:
            return f"{received} bytes, then {ending}"
        expected = sum(self.runs[name].value.get("bytes", 0) for name in step["of"])
        if received == 0:
            amount = "no data"
        elif received == expected:
            amount = "all data"
        elif received < expected:
            amount = "part of the data"
        else:
            amount = "more data than sent"
        return f"{amount}, then {ending}"

    def op_close(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._sock(step).close()
        return "ok", {}

    def op_shutdown(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._sock(step).shutdown(SHUTDOWN_HOW[step["how"]])
        return "ok", {}

    def _checked(self, address: str) -> str:
        problem = address_problem(address)
        if problem is not None:
            raise HarnessError(problem)
        return address

    def _bound_address(self, name: str) -> tuple[Any, ...]:
        """Where socket ``name`` is (or was) bound: a closed socket's port stays known."""
        if name not in self.bound:
            raise HarnessError(f"socket {name!r} has no bound address")
        return self.bound[name]

    @staticmethod
    def _loopback_of(sock: socket.socket) -> str:
        return LOOPBACK["ipv6" if sock.family == socket.AF_INET6 else "ipv4"]

    def op_connect(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sock = self._sock(step)
        if "to" in step:
            host, port = self._bound_address(step["to"])[:2]
        else:
            host, port = self._loopback_of(sock), self._closed_port(sock)
        host = self._destination(step.get("address", host), port)
        try:
            sock.connect((host, port))
        finally:
            # The connection's own address, for connection_state after a close
            # (also after a nonblocking connect that is still in progress).
            with contextlib.suppress(OSError):
                self.bound[step["socket"]] = sock.getsockname()
        return "ok", {}

    def _destination(self, host: str, port: int) -> str:
        """The last check before connect()/sendto(): loopback, and a port of our own."""
        own = {int(address[1]) for address in self.bound.values() if len(address) > 1}
        problem = destination_problem(host, port, own)
        if problem is not None:
            raise HarnessError(problem)
        return host

    def _closed_port(self, sock: socket.socket) -> int:
        """A loopback port refused for this whole probe: bound, never listening."""
        name = f"_closed-port-{int(sock.family)}"
        if name not in self.sockets:
            holder = socket.socket(sock.family, socket.SOCK_STREAM)
            self._add(name, holder, "reserved")
            holder.bind((self._loopback_of(sock), 0))
            self.bound[name] = holder.getsockname()
        return int(self.bound[name][1])

    def _allowed_option(self, name: str, how: str, value: Any) -> tuple[int, int] | None:
        """The allow-list, checked again right before setsockopt()."""
        try:
            checked_set(name, how, value)
            return resolve(name, self.family)
        except OptionRefused as exc:
            raise HarnessError(str(exc)) from None

    def op_accept(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        accepted, _ = self._sock(step).accept()
        self._add(step["as"], accepted, "accepted")
        self.bound[step["as"]] = accepted.getsockname()
        return "ok", {}

    def op_bind(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sock = self._sock(step)
        address = self._checked(step.get("address", self._loopback_of(sock)))
        port = self._bound_address(step["port_of"])[1] if "port_of" in step else 0
        sock.bind((address, port))
        self.bound[step["socket"]] = sock.getsockname()
        return "ok", {}

    def op_listen(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sock = self._sock(step)
        sock.listen(int(step.get("backlog", 8)))
        # listen() on an unbound socket binds it on Linux and macOS.
        self.bound[step["socket"]] = sock.getsockname()
        return "ok", {}

    def _option(self, step: dict[str, Any]) -> tuple[int, int]:
        try:
            constants = resolve(step["option"], self.family)
        except OptionRefused as exc:
            raise HarnessError(str(exc)) from None
        if constants is None:
            raise _Unsupported(f"{step['option']} does not exist on this platform")
        return constants

    def op_setsockopt(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sock = self._sock(step)
        how = next(k for k in ("value", "linger", "duration", "raw") if k in step)
        self._allowed_option(step.get("option", "SO_LINGER"), how, step[how])
        if "linger" in step:
            linger = step["linger"]
            sock.setsockopt(*encode_linger(linger["on"], linger["seconds"], self.family))
        elif "raw" in step:
            raw = step["raw"]
            sock.setsockopt(*self._option(step), struct.pack(raw["format"], *raw["values"]))
        elif "duration" in step:
            sock.setsockopt(*self._option(step), encode_duration(step["duration"], self.family))
        else:
            sock.setsockopt(*self._option(step), int(step["value"]))
        return "ok", {}

    def op_getsockopt(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        sock = self._sock(step)
        decode = step.get("decode", "int")
        if decode == "linger":
            level, optname, _ = encode_linger(False, 0, self.family)
            raw_value = sock.getsockopt(level, optname, linger_size(self.family))
            linger = decode_linger(raw_value, self.family)
            text = f"on, {linger['seconds']} s" if linger["on"] else "off"
            return text, {"linger": linger}
        if decode == "duration":
            seconds = decode_duration(sock.getsockopt(*self._option(step), 16), self.family)
            return f"{seconds:g} s", {"seconds": seconds}
        if "raw" in step:
            fmt = step["raw"]["format"]
            # Ask for more than the format needs: the OS says how much it filled in
            # (Winsock's linger is 4 bytes where POSIX's is 8).
            data = sock.getsockopt(*self._option(step), 32)
            padded = data.ljust(struct.calcsize(fmt), b"\0")
            values = list(struct.unpack_from(fmt, padded))
            return f"{values} from {len(data)} bytes", {"raw": values, "length": len(data)}
        value = sock.getsockopt(*self._option(step))
        if decode == "errno":
            if value == 0:
                return "0", {"value": 0, "name": None}
            raw = raw_name(value, self.family)
            return portable_name(raw), {"value": value, "name": raw}
        return str(value), {"value": value}

    def op_setblocking(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._sock(step).setblocking(bool(step["blocking"]))
        return "ok", {}

    def op_settimeout(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._sock(step).settimeout(step["seconds"])
        return "ok", {}

    def op_dup(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        copy = self._sock(step).dup()
        self._add(step["as"], copy, self.kinds[step["socket"]])
        self.bound.setdefault(step["as"], self.bound.get(step["socket"], ()))
        return "ok", {}

    def op_sendto(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        target = self._bound_address(step["to"])
        self._destination(target[0], int(target[1]))
        sent = self._sock(step).sendto(self._payload(step), target[:2])
        return f"{sent} bytes", {"bytes": sent}

    def op_recvfrom(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data, _ = self._sock(step).recvfrom(int(step.get("bytes", 65536)))
        return f"{len(data)} bytes", {"bytes": len(data)}

    def op_select(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        lists = [
            [self._sock({"socket": n}) for n in step.get(key, [])]
            for key in ("read", "write", "exceptional")
        ]
        names = {id(sock): name for name, sock in self.sockets.items()}
        ready = select.select(lists[0], lists[1], lists[2], float(step["timeout"]))
        reported = [sorted(names[id(sock)] for sock in group) for group in ready]
        text = " ".join(
            f"{label}=[{','.join(group)}]"
            for label, group in zip(("r", "w", "x"), reported, strict=True)
        )
        return text, {"read": reported[0], "write": reported[1], "exceptional": reported[2]}

    def op_poll(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if not hasattr(select, "poll"):
            # Windows: Python offers no poll() (WSAPoll is not exposed).
            raise _Unsupported("select.poll does not exist on this platform")
        events = 0
        for name in step.get("events", ["IN", "OUT"]):
            flag = getattr(select, "POLL" + name, None)
            if flag is None:
                raise _Unsupported(f"POLL{name} does not exist on this platform")
            events |= flag
        poller = select.poll()
        fds: dict[int, str] = {}
        for name in step["sockets"]:
            fd = self._sock({"socket": name}).fileno()
            fds[fd] = name
            poller.register(fd, events)
        results = poller.poll(float(step["timeout"]) * 1000)
        flags = {fds.get(fd, str(fd)): _poll_flags(revents) for fd, revents in results}
        text = " ".join(f"{name}={'|'.join(f) or '0'}" for name, f in sorted(flags.items()))
        return text or "nothing", {"flags": flags}

    def op_getpeername(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        self._sock(step).getpeername()
        return "ok", {}

    # -- TCP states and SIGPIPE (matrix._state_ops, matrix._sigpipe) ---------------
    def op_tcp_state(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        from matrix._state_ops import StateUnsupported, tcp_state

        try:
            sock = self._sock(step)
            return tcp_state(self.family, sock.getsockopt, sock.fileno(), step)
        except StateUnsupported as exc:
            raise _Unsupported(str(exc)) from None

    def op_connection_state(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        from matrix._state_ops import StateUnsupported, connection_state

        local, remote = self._bound_address(step["socket"]), self._bound_address(step["peer"])
        try:
            return connection_state(local[:2], remote[:2], step)
        except StateUnsupported as exc:
            raise _Unsupported(str(exc)) from None

    def op_sigpipe(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        from matrix._sigpipe import set_disposition

        if not set_disposition(step["disposition"]):
            raise _Unsupported("this platform has no SIGPIPE")
        self.announce_steps = self.announce_steps or step["disposition"] == "default"
        return "ok", {}

    def op_sleep(self, step: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        time.sleep(float(step["seconds"]))
        return "ok", {}

    # -- cleanup --------------------------------------------------------------
    def _close_all(self) -> None:
        # Threads may still add sockets (an accept that cleanup woke): copy first.
        for sock in list(self.sockets.values()):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _cleanup(self) -> None:
        self._close_all()
        for name, kind in list(self.kinds.items()):
            address = self.bound.get(name)
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
        for name, run in self.runs.items():
            if run.done.is_set() and "thread" in run.step:
                self.cleanup_notes.append(f"{name}: finally {run.summary}")

    @staticmethod
    def _poke(address: tuple[Any, ...]) -> None:
        """Wake an accept() that close() did not wake (Linux) by connecting once."""
        if address_problem(address[0]) is not None:
            return
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        try:
            with socket.socket(family, socket.SOCK_STREAM) as poke:
                poke.settimeout(0.5)
                poke.connect(address[:2])
        except OSError:
            pass


# POLLRDNORM/POLLWRNORM are left out: they repeat IN and OUT on Linux.
_POLL_NAMES = ("IN", "PRI", "OUT", "ERR", "HUP", "NVAL", "RDHUP")


def _poll_flags(revents: int) -> list[str]:
    """Names of the poll flags set in ``revents``, by this platform's values."""
    return [
        name
        for name in _POLL_NAMES
        if (value := getattr(select, "POLL" + name, None)) and revents & value
    ]


class _Unsupported(Exception):
    """The platform has no such option or call: recorded as ``unsupported``."""
