#!/bin/sh
# Build sockmatrix's sdist and wheel into DIST, then install what was built into a
# fresh venv OUTSIDE the checkout and use it as a library author would: validate
# the built-in library, run a probe of their own, check its assumptions, run it
# through the pytest plugin. release.yml runs this before publishing; the test
# tests/end_to_end/test_release_rehearsal.py runs it here the same way.
#
# Usage: sh .ci/release-check.sh DIST [TAG] [REQUIREMENT]
#   TAG          (release.yml: the pushed tag) must read v<the package's version>
#   REQUIREMENT  what pip installs instead of the built wheel (the rehearsal passes
#                the README's git line, pointed at this checkout)
set -eu

DIST=$1
TAG=${2:-}
REQUIREMENT=${3:-}
PYTHON=${PYTHON:-python3}
CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
# Nothing of the checkout may be importable from the venv's tests.
unset PYTHONPATH

# No flags: the sdist first, then the wheel built FROM the sdist, so a file the
# sdist leaves out fails here rather than for a user of the sdist.
"$PYTHON" -m build --outdir "$DIST" "$CHECKOUT"
set -- "$DIST"/*.whl
[ "$#" -eq 1 ] || { echo "release-check: expected one wheel in $DIST, found $#" >&2; exit 1; }
WHEEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
set -- "$DIST"/*.tar.gz
[ "$#" -eq 1 ] || { echo "release-check: expected one sdist in $DIST, found $#" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PYTHON" -m venv "$WORK/venv"
VENV_PYTHON="$WORK/venv/bin/python"
"$VENV_PYTHON" -m pip install --quiet --disable-pip-version-check \
    "${REQUIREMENT:-sockmatrix[pytest] @ file://$WHEEL}"
cd "$WORK"

# The package imported is the venv's, not the checkout's.
"$VENV_PYTHON" - "$CHECKOUT" <<'PY'
import sys
from pathlib import Path

import matrix

where = Path(matrix.__file__).resolve()
if Path(sys.argv[1]).resolve() in where.parents:
    sys.exit(f"release-check: imported the checkout's {where}, not the installed package")
print(f"release-check: sockmatrix {matrix.__version__} from {where.parent}")
PY
VERSION=$("$VENV_PYTHON" -c 'import matrix; print(matrix.__version__)')
if [ -n "$TAG" ] && [ "$TAG" != "v$VERSION" ]; then
    echo "release-check: the tag $TAG does not name the package's version v$VERSION" >&2
    exit 1
fi

"$WORK/venv/bin/sockmatrix" validate
# The library recipe's own probe (examples/library-repository), as its README
# tells an author to copy it: the release is checked against what we publish.
mkdir my-checks
cp "$CHECKOUT/examples/library-repository/socket-checks/unread-data-resets-peer.yaml" my-checks/
"$WORK/venv/bin/sockmatrix" run my-checks --output results/here.json --quiet
"$WORK/venv/bin/sockmatrix" check results
"$VENV_PYTHON" -m pytest my-checks -q -p no:cacheprovider --sockmatrix-results none
echo "release-check: sockmatrix $VERSION built and tested outside the checkout"
