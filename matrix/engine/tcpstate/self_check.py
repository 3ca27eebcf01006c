"""Check a connection-table reader on this process's own loopback connection.

Why: a reader is trusted only after it has shown, here and now, that it can
do what the probes need. A layout that changed (a new macOS), a table that is
empty (WSL1), or one that lists only sockets still open (gVisor's
/proc/net/tcp; psutil on the BSDs) would otherwise turn "not found" into a
state: CLOSED by absence, the lie this check exists to prevent.

Rules of this module:
- It touches only its own sockets: a loopback listener, a client and the
  accepted socket, made and closed here; one TIME_WAIT of its own is left to
  the kernel, as any closed connection is.
- It answers two questions, each with the reason when the answer is no:
  does the reader find this connection, ESTABLISHED from both ends (else no
  connection_state step can trust it); and does it still list the
  connection once its socket is closed, in FIN_WAIT_2 and in TIME_WAIT (else
  a connection missing from it may still exist, and absence proves nothing).
- Every wait is bounded; the clock and the pause are parameters for tests.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from matrix.engine.tcpstate.entries import Endpoint, Entry, matching_states

Lister = Callable[[], list[Entry]]

# How long each stage may take on a loaded machine before it counts as failed.
STAGE_SECONDS = 2.0
# Listings in a row that must miss a connection before it counts as unlisted.
MISSES = 3
PAUSE = 0.005


@dataclass(frozen=True)
class CheckResult:
    finds_own: str | None  # None: it found the pair; else why not
    sees_closed: str | None  # None: closed sockets' connections stay listed; else why not


def _states(entries: list[Entry], local: Endpoint, remote: Endpoint) -> set[str]:
    return set(matching_states(entries, local, remote))


def _until(
    listing: Lister,
    done: Callable[[list[Entry]], bool | None],
    clock: Callable[[], float],
    pause: Callable[[float], None],
) -> bool | None:
    """List until ``done`` answers True or False (None: keep looking); None at the bound."""
    deadline = clock() + STAGE_SECONDS
    while True:
        answer = done(listing())
        if answer is not None or clock() >= deadline:
            return answer
        pause(PAUSE)


def check(
    listing: Lister,
    ipv6: bool,
    *,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> CheckResult:
    """Run both checks of ``listing`` (which lists the table of ``ipv6``'s family)."""
    family, loopback = (socket.AF_INET6, "::1") if ipv6 else (socket.AF_INET, "127.0.0.1")
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.bind((loopback, 0))
        listener.listen(1)
        listener.settimeout(STAGE_SECONDS)  # every wait bounded, accept's too
        client = socket.socket(family, socket.SOCK_STREAM)
        client.settimeout(STAGE_SECONDS)
        try:
            client.connect(listener.getsockname()[:2])
            server, _ = listener.accept()
        except OSError:
            client.close()
            raise
    with client, server:
        here, there = client.getsockname()[:2], server.getsockname()[:2]
        pair = f"{here[0]}:{here[1]} <-> {there[0]}:{there[1]}"

        def both_established(entries: list[Entry]) -> bool | None:
            established = {"ESTABLISHED"}
            if _states(entries, here, there) == established == _states(entries, there, here):
                return True
            return None

        if not _until(listing, both_established, clock, pause):
            return CheckResult(
                f"it did not list this process's own connection {pair} as ESTABLISHED "
                "from both ends",
                None,
            )
        return CheckResult(
            None, _closed_stay_listed(listing, client, server, here, there, clock, pause)
        )


def _closed_stay_listed(
    listing: Lister,
    client: socket.socket,
    server: socket.socket,
    here: Endpoint,
    there: Endpoint,
    clock: Callable[[], float],
    pause: Callable[[float], None],
) -> str | None:
    """Close the client (FIN_WAIT_2 once the server has the FIN), then the server
    (TIME_WAIT): the client's side must stay listed through both."""
    client.close()
    missed = [0]

    def client_side(wanted: set[str]) -> Callable[[list[Entry]], bool | None]:
        def seen(entries: list[Entry]) -> bool | None:
            mine = _states(entries, here, there)
            if mine & wanted:
                return True
            # The server's end is listed (it holds its socket) but not ours.
            if not mine and _states(entries, there, here):
                missed[0] += 1
                return False if missed[0] >= MISSES else None
            missed[0] = 0
            return None

        return seen

    after_close = _until(listing, client_side({"FIN_WAIT_1", "FIN_WAIT_2"}), clock, pause)
    if not after_close:
        return (
            "it stops listing a connection once its socket is closed (this process's own "
            f"{here[0]}:{here[1]} was missing after close() while its peer was listed)"
        )
    server.close()
    missed[0] = 0

    def time_wait(entries: list[Entry]) -> bool | None:
        mine = _states(entries, here, there)
        if "TIME_WAIT" in mine:
            return True
        if not mine:
            missed[0] += 1
            return False if missed[0] >= MISSES else None
        missed[0] = 0
        return None

    if not _until(listing, time_wait, clock, pause):
        return (
            "it does not list a closed socket's connection in TIME_WAIT (this process's own "
            f"{here[0]}:{here[1]} did not appear in TIME_WAIT after both ends closed)"
        )
    return None
