"""``sockmatrix run --under gvisor``: the same run again, inside gVisor's runsc sandbox.

Rules of this module:
- The run inside is ``runsc --network=none do -force-overlay=false`` with this
  interpreter and this package. ``--network=none`` always: it gives the sandbox
  a loopback served by gVisor's netstack, where runsc's default may fall back to
  the host's network (runsc/cmd/do.go, "switching to host"); with it runsc's own
  Linux is never measured by mistake. ``-force-overlay=false`` lets the run
  inside write its results file to this file system.
- runsc's release cannot be seen from inside, so it is passed in
  (matrix.results.gvisor.RUNSC_VERSION_VARIABLE), with the network mode and
  UNDER_VARIABLE, which makes the run inside refuse to write anything unless
  it finds itself under gVisor.
- Every precondition fails with one line saying what to do: not Linux, no runsc,
  not root, a sandbox that would not start.
- No child outlives the run. runsc runs in its own session (Ctrl-C reaches this
  process only); Ctrl-C and SIGTERM are passed to runsc, which forwards them to
  the run inside, which stops its probes and keeps what finished; past a grace
  period runsc is killed, and the sandbox (started attached) dies with it, and
  the state runsc keeps under its own TMPDIR is removed. If this process dies
  outright, the run inside reads end-of-file on its stdin (a pipe only this
  process holds) and stops the same way; runsc then ends normally and removes
  its state, leaving only that TMPDIR, empty.
- Its output is copied through pipes: runsc writing straight to a regular file
  has been seen to overwrite it from offset 0.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import IO, Any

from matrix.results.gvisor import RUNSC_NETWORK_VARIABLE, RUNSC_VERSION_VARIABLE
from matrix.runner.runner import PACKAGE_PARENT

# Set for the run inside: it must find itself under gVisor, and it stops when
# its stdin reaches end-of-file.
UNDER_VARIABLE = "SOCKMATRIX_UNDER"
# Where runsc is, when it is not on PATH (a release unpacked elsewhere).
RUNSC_VARIABLE = "SOCKMATRIX_RUNSC"
NETWORK = "none"
# runsc's status when it could not create or start the sandbox: runsc/cli/main.go
# lines 274-276 at release-20221219.0 (runsc/cli/cli.go line 326 later),
# "// Return an error that is unlikely to be used by the application." then
# os.Exit(128). Never a sockmatrix status (matrix.commands.exit_codes).
RUNSC_FAILED = 128
INSTALL_HINT = (
    "install it with `apt-get install runsc` (Debian, Ubuntu) or from gVisor's releases "
    "(https://gvisor.dev/docs/user_guide/install/), or set SOCKMATRIX_RUNSC to its path"
)
# Ctrl-C or SIGTERM: how long the run inside has to stop its probes and write.
GRACE_SECONDS = 15.0
WAIT_SLICE = 0.2
_TAIL_LINES = 5


class SandboxError(Exception):
    """A precondition or runsc itself failed; the message is one line."""


def find_runsc(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    path = environ.get(RUNSC_VARIABLE) or shutil.which("runsc")
    if not path or not os.access(path, os.X_OK):
        where = f"{RUNSC_VARIABLE}={path}" if environ.get(RUNSC_VARIABLE) else "on PATH"
        raise SandboxError(f"runsc (gVisor) is not {where}: {INSTALL_HINT}")
    return path


def check_host(platform: str = sys.platform, euid: Callable[[], int] | None = None) -> None:
    if not platform.startswith("linux"):
        raise SandboxError(f"gVisor's runsc runs on Linux only, and this is {platform}")
    geteuid = euid or getattr(os, "geteuid", None)
    if geteuid is not None and geteuid() != 0:
        raise SandboxError(
            "runsc needs root to create its sandbox (namespaces, cgroups): run this as root, "
            "e.g. with sudo"
        )


def runsc_output(runsc: str, *args: str) -> str:
    try:
        done = subprocess.run(
            [runsc, *args], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxError(f"`{runsc} {' '.join(args)}` failed: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise SandboxError(f"`{runsc} {' '.join(args)}` failed ({done.returncode}): {last}")
    return done.stdout


def runsc_version(runsc: str) -> str:
    """The first line of ``runsc --version``: ``runsc version 0.0~20221219.0``."""
    lines = runsc_output(runsc, "--version").strip().splitlines()
    if not lines:
        raise SandboxError(f"`{runsc} --version` printed nothing")
    return lines[0]


def sandbox_command(
    runsc: str, inner: Sequence[str], marker_file: bool, python: str = sys.executable
) -> list[str]:
    """runsc's command line; ``marker_file`` where this runsc has --gvisor-marker-file."""
    flags = [f"--network={NETWORK}"]
    if marker_file:
        flags.append("--gvisor-marker-file")  # release-20250421.0 and later
    return [
        runsc,
        *flags,
        "do",
        "-force-overlay=false",
        "-quiet",
        python,
        "-m",
        "matrix",
        "run",
        *inner,
    ]


def sandbox_environment(version: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if environ is None else environ)
    env[RUNSC_VERSION_VARIABLE] = version
    env[RUNSC_NETWORK_VARIABLE] = NETWORK
    env[UNDER_VARIABLE] = "gvisor"
    # This package, whatever the working directory inside.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
    return env


def _copy(source: IO[bytes], target: Any, tail: list[str] | None) -> None:
    for line in iter(source.readline, b""):
        if tail is not None:
            tail.append(line.decode("utf-8", errors="replace").rstrip())
            del tail[:-_TAIL_LINES]
        with contextlib.suppress(OSError, ValueError):
            buffer = getattr(target, "buffer", None)
            if buffer is not None:
                target.flush()
                buffer.write(line)
                buffer.flush()
            else:
                target.write(line.decode("utf-8", errors="replace"))
                target.flush()
    source.close()


class Sandbox:
    """One ``runsc do`` of a sockmatrix run; ``wait`` returns its exit status."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command = command
        self.tail: list[str] = []  # the last lines of stderr: runsc's reason if it failed
        # `runsc do` keeps its sandbox's state in a directory it makes under
        # $TMPDIR and removes when it ends normally; a runsc killed (past the
        # grace period, or by a signal before it forwards them: "a signal may
        # kill this process, skipping cleanup", runsc/cmd/do.go) leaves it. Its
        # own TMPDIR here is removed by close() whatever happened.
        self.scratch = tempfile.mkdtemp(prefix="sockmatrix-runsc-")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,  # held open: its end-of-file stops the run inside
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**env, "TMPDIR": self.scratch},
            start_new_session=True,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._copiers = [
            threading.Thread(target=_copy, args=(self.process.stdout, sys.stdout, None)),
            threading.Thread(target=_copy, args=(self.process.stderr, sys.stderr, self.tail)),
        ]
        for copier in self._copiers:
            copier.daemon = True
            copier.start()

    def wait(self) -> int:
        while True:
            # Sliced, so Ctrl-C and SIGTERM are seen at once.
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.process.wait(WAIT_SLICE)
                self._drain()
                return code

    def stop(self, signum: int) -> int:
        """Pass ``signum`` on; past the grace period kill runsc (and its sandbox)."""
        with contextlib.suppress(OSError):
            self.process.send_signal(signum)
        try:
            code = self.process.wait(GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.process.wait()
        self._drain()
        return code

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()

    def close(self) -> None:
        """Kill runsc if it still runs, then remove its scratch directory."""
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(GRACE_SECONDS)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _drain(self) -> None:
        for copier in self._copiers:
            copier.join(5)
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()

    def failure(self, code: int) -> str | None:
        """runsc's own failure (the sandbox never ran the command), or None."""
        if code != RUNSC_FAILED:
            return None
        reason = self.tail[-1] if self.tail else "no message"
        return f"runsc could not start the sandbox (exit {code}): {reason}"


def start(inner: Sequence[str]) -> Sandbox:
    """Check the host, find runsc and start the run inside it; SandboxError says why not."""
    check_host()
    runsc = find_runsc()
    version = runsc_version(runsc)
    try:
        marker_file = "-gvisor-marker-file" in runsc_output(runsc, "flags")
    except SandboxError:  # a runsc without `flags`: the kernel log still tells
        marker_file = False
    command = sandbox_command(runsc, inner, marker_file)
    try:
        return Sandbox(command, sandbox_environment(version))
    except OSError as exc:
        raise SandboxError(f"could not start {runsc}: {exc}") from None


def end_with_stdin(fd: int = 0) -> None:
    """In the run inside: SIGTERM its main thread when stdin (the launcher's pipe) closes.

    Call it inside matrix.runner.interrupt.terminate_as_interrupt, which turns
    that SIGTERM into Terminated: the probes stop and what finished is kept.
    The signal goes to the main thread itself (pthread_kill), so it also wakes
    a wait there.
    """
    main = threading.main_thread().ident
    assert main is not None

    def watch() -> None:
        # os.read, not sys.stdin: a buffered reader's lock held by a daemon
        # thread aborts the interpreter at exit.
        with contextlib.suppress(OSError):
            while os.read(fd, 4096):
                pass
        signal.pthread_kill(main, signal.SIGTERM)

    threading.Thread(target=watch, name="launcher-watch", daemon=True).start()
