#!/bin/sh
# Install gVisor's runsc for the gvisor leg of .github/workflows/probe-matrix.yml,
# pinned like the workflow's actions: one release, one tarball, one SHA-512.
#
# gVisor's install guide (g3doc/user_guide/install.md, rewritten in commit
# 999714fc, 2026-07-22) installs a release as the tarball gvisor.tar.bz2 plus
# gvisor.tar.bz2.sha512, unpacked into /usr/local/bin: "The gvisor.tar.bz2
# tarball contains runsc, the containerd-shim-runsc-v1 containerd shim, and a
# gvisor-bin/ directory with sidecar binaries that runsc executes at runtime."
#
# What is pinned, and how far it is verified:
# - GVISOR_RELEASE 20260928.0 (tag release-20260928.0), x86_64.
# - GVISOR_SHA512, the SHA-512 of that release's x86_64 gvisor.tar.bz2, was NOT
#   computed by this project (its machines cannot reach storage.googleapis.com).
#   It is the value that about ten unrelated public repositories pin for this
#   exact release and file, found by exact-string search of public code, from
#   both storage.googleapis.com/gvisor/releases/release/20260928.0/x86_64/ and
#   the GitHub release asset gvisor-x86_64.tar.bz2. The tarball must match it.
# - The release's own published gvisor.tar.bz2.sha512 must match too: it guards
#   the download; the pinned value guards against a replaced release.
# To move to a newer release, change both values after checking the new hash.
#
# Tests run this with a file:// release (GVISOR_BASE_URL) and a prefix of their own.
set -eu

GVISOR_RELEASE=${GVISOR_RELEASE:-20260928.0}
GVISOR_SHA512=${GVISOR_SHA512:-c8d3a9fd4d4c4f5b8ff213caa4517356be128d18659ec4cde37828fe797f61a9725a602a846c81a8ed19c057a996515d31c081eba343ed4613a89951ba32ed59}
GVISOR_BASE_URL=${GVISOR_BASE_URL:-https://storage.googleapis.com/gvisor/releases/release}
RUNSC_PREFIX=${RUNSC_PREFIX:-/usr/local/bin}

arch=$(uname -m)
if [ "$arch" != x86_64 ]; then
    echo "::error::no pinned gVisor checksum for $arch (only x86_64 is pinned)"
    exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
url="$GVISOR_BASE_URL/$GVISOR_RELEASE/$arch"
curl --fail --silent --show-error --location --retry 3 \
    --output "$stage/gvisor.tar.bz2" "$url/gvisor.tar.bz2"
curl --fail --silent --show-error --location --retry 3 \
    --output "$stage/gvisor.tar.bz2.sha512" "$url/gvisor.tar.bz2.sha512"

published=$(cut -d ' ' -f 1 <"$stage/gvisor.tar.bz2.sha512")
actual=$(sha512sum "$stage/gvisor.tar.bz2" | cut -d ' ' -f 1)
if [ "$actual" != "$published" ]; then
    echo "::error::gvisor.tar.bz2 of release $GVISOR_RELEASE does not match its published .sha512: not installed"
    exit 1
fi
if [ "$actual" != "$GVISOR_SHA512" ]; then
    echo "::error::gvisor.tar.bz2 of release $GVISOR_RELEASE is not the pinned one (sha512 $actual): not installed"
    exit 1
fi

mkdir -p "$RUNSC_PREFIX"
# runsc and gvisor-bin/ side by side: runsc looks for its sidecars next to itself.
tar -xjf "$stage/gvisor.tar.bz2" -C "$RUNSC_PREFIX"
"$RUNSC_PREFIX/runsc" --version
