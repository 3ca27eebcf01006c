"""The exit status of every ``sockmatrix`` command, in one place.

Rules of this module: every command returns one of these, and nothing else
writes a status as a bare number; ``sockmatrix --help`` lists them.
"""

from __future__ import annotations

EXIT_OK = 0
# A probe could not run, an input was skipped or could not be written, an
# assumption is broken (check), cells changed (diff --exit-code).
EXIT_FAILED = 1
# Usage or validation errors: nothing was run or read.
EXIT_USAGE = 2
# Ctrl-C, and SIGTERM (what a shell reports for a process ended by signal 15);
# finished probes are kept in both cases.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 128 + 15

DESCRIBED = {
    EXIT_OK: "ok",
    EXIT_FAILED: "a probe could not run, an input was skipped, or an assumption is broken",
    EXIT_USAGE: "usage or validation errors",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_TERMINATED: "terminated (SIGTERM)",
}
