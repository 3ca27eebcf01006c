#!/bin/sh
# The host step that fails an extra-stack leg after its results were uploaded:
# .ci/stack-leg.sh ends 0 whenever it ran the probes (so vmactions copies the
# results back) and leaves the probe run's exit status in a file, read here.
# Usage: sh .ci/leg-outcome.sh [STATUS_FILE]   (default leg-status)
set -eu
status_file=${1:-leg-status}
if [ ! -s "$status_file" ]; then
    echo "::error::no $status_file: the VM did not boot, 'prepare' or the install failed, or the step hit its time limit (see the step's log); nothing was run or copied back"
    exit 1
fi
status=$(head -n 1 "$status_file" | tr -cd '0-9')
case "$status" in
0)
    echo "the probe run succeeded"
    exit 0
    ;;
143)
    echo "::error::the probe run reached the leg's deadline (SOCKMATRIX_LEG_SECONDS) and was stopped: its finished probes were uploaded (complete: false)"
    ;;
'')
    echo "::error::$status_file holds no exit status"
    ;;
*)
    echo "::error::sockmatrix run exited $status: some probe could not run (its results, with the others, were uploaded)"
    ;;
esac
exit 1
