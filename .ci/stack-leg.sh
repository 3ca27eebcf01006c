#!/bin/sh
# One extra-stack leg of .github/workflows/probe-matrix.yml, run inside its VM
# (FreeBSD, OpenBSD, NetBSD, illumos), WSL1 distribution or Alpine container,
# from the root of the sockmatrix checkout: install sockmatrix from this checkout
# with the system's own Python and the system's own packages of its
# dependencies (installed by the leg's "prepare"), run the probes into
# $SOCKMATRIX_RESULTS_DIR and print the table.
#
# Its exit status says only whether it got as far as running the probes. The
# probe run's own status goes to the file $SOCKMATRIX_LEG_STATUS (default
# leg-status): vmactions copies the VM's files back only when the VM command
# succeeds (freebsd-vm v1.5.4 index.js: the copy-back follows the `run` block,
# which rethrows; vmactions/freebsd-vm#130), so a run whose probes failed must
# still end this script with 0, and the job fails in a later host step
# (.ci/leg-outcome.sh) after the results were uploaded.
#
# POSIX sh only: it runs under FreeBSD's sh, OpenBSD's ksh, NetBSD's sh,
# illumos' ksh93, Alpine's busybox ash and Ubuntu's dash.
set -eu

status_file=${SOCKMATRIX_LEG_STATUS:-leg-status}
rm -f "$status_file"

python=""
for candidate in python3 python3.14 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1; then
        python=$candidate
        break
    fi
done
if [ -z "$python" ]; then
    echo "::error::no Python 3 from the system's packages on this leg"
    exit 1
fi
echo "using $(command -v "$python"): $("$python" --version 2>&1)"

# A venv that sees the system's packages: the dependencies come from the OS
# (PyYAML, psutil and jsonschema's Rust helper rpds-py have no wheels for the
# BSDs or illumos: PyPI accepts none), and pip installs from PyPI only what the
# OS lacks and pure-Python packages can supply. Where the system's Python ships
# without ensurepip (OpenBSD, Debian-style packaging) the venv borrows the
# system's pip package instead.
venv=${SOCKMATRIX_VENV:-$HOME/.sockmatrix-venv}
rm -rf "$venv"
if ! "$python" -m venv --system-site-packages "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    "$python" -m venv --without-pip --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "::error::no pip for $python: the leg must install the system's pip package"
    exit 1
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check .
echo "dependencies (from the system's packages unless pip had to add them):"
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null |
    grep -i -E '^(pyyaml|tabulate|jsonschema|fastjsonschema|psutil|rpds-py) ' || true

# Paths are words, never patterns: set -f keeps a caller's "probes/*" literal.
set --
set -f
for path in ${PROBE_PATHS:-}; do
    set -- "$@" "caller/$path"
done
set +f
if [ "${WITH_BUILTIN:-false}" = "true" ]; then
    set -- "$@" --with-builtin
fi

SOCKMATRIX_RESULTS_DIR=${SOCKMATRIX_RESULTS_DIR:-leg-results}
export SOCKMATRIX_RESULTS_DIR

# The run ends itself before the step's timeout-minutes would: a step that
# times out copies nothing back. SIGTERM stops sockmatrix like Ctrl-C (its
# finished probes kept, complete: false, exit 143). sockmatrix is started
# directly (not through sh -c or tox) so the signal reaches it. The watchdog
# polls once a second and ends with the run, so nothing of this leg outlives
# it; its stdio goes to /dev/null, so it cannot hold the ssh session open.
deadline=${SOCKMATRIX_LEG_SECONDS:-1800}
status=0
"$venv/bin/sockmatrix" run "$@" &
run_pid=$!
(
    waited=0
    while kill -0 "$run_pid" 2>/dev/null; do
        if [ "$waited" -ge "$deadline" ]; then
            kill -TERM "$run_pid"
            break
        fi
        sleep 1
        waited=$((waited + 1))
    done
) </dev/null >/dev/null 2>&1 &
watchdog=$!
wait "$run_pid" || status=$?
wait "$watchdog" || true
if [ "$status" -eq 143 ]; then
    echo "::error::the leg's deadline of ${deadline}s was reached: its finished probes are kept"
fi
echo "$status" >"$status_file"
"$venv/bin/sockmatrix" table --format text "$SOCKMATRIX_RESULTS_DIR" || true
echo "sockmatrix run exited $status (written to $status_file)"
exit 0
