#!/bin/sh
# One extra-stack leg of .github/workflows/probe-matrix.yml, run inside its VM
# (FreeBSD, OpenBSD, NetBSD, illumos), WSL1 distribution or Alpine container,
# from the root of the sockmatrix checkout: install sockmatrix from this checkout
# with the system's own Python (from its packages, installed by the leg's
# "prepare"), run the probes into $SOCKMATRIX_RESULTS_DIR and print the table.
# POSIX sh only: it runs under FreeBSD's sh, OpenBSD's ksh, NetBSD's sh,
# illumos' ksh93, Alpine's busybox ash and Ubuntu's dash.
set -eu

python=""
for candidate in python3 python3.14 python3.13 python3.12 python3.11 python3.10; do
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

# A venv keeps pip away from the system's own packages (PEP 668 systems refuse
# otherwise). Where the system's Python ships without ensurepip (OpenBSD,
# Debian-style packaging) the venv borrows the system's pip package instead.
venv=${SOCKMATRIX_VENV:-$HOME/.sockmatrix-venv}
if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    "$python" -m venv --without-pip --system-site-packages "$venv"
fi
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    echo "::error::no pip for $python: the leg must install the system's pip package"
    exit 1
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check .

set --
for path in ${PROBE_PATHS:-}; do
    set -- "$@" "caller/$path"
done
if [ "${WITH_BUILTIN:-false}" = "true" ]; then
    set -- "$@" --with-builtin
fi

SOCKMATRIX_RESULTS_DIR=${SOCKMATRIX_RESULTS_DIR:-leg-results}
export SOCKMATRIX_RESULTS_DIR
status=0
"$venv/bin/sockmatrix" run "$@" || status=$?
"$venv/bin/sockmatrix" table --format text "$SOCKMATRIX_RESULTS_DIR" || true
exit "$status"
