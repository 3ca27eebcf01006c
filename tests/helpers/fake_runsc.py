"""A stand-in for gVisor's runsc, for the launcher's tests on any Linux, root or not.

``fake_runsc(tmp_path)`` writes an executable script that answers
``--version`` and ``flags`` like runsc, and for ``do`` records its argv and the
environment variables the launcher sets (FAKE_RUNSC_LOG), then runs the
command after ``do``'s own flags without any sandbox. With FAKE_RUNSC_FAIL set
it fails the way runsc does when it cannot start a sandbox: a message on
stderr and status 128. Nothing here is gVisor: the run it starts finds no
gVisor marker and must refuse to write a results file.
"""

from __future__ import annotations

import sys
from pathlib import Path

VERSION_LINE = "runsc version 0.0~20990101.0-fictional"

_SCRIPT = """#!{python}
import json, os, sys
args = sys.argv[1:]
if args == ["--version"]:
    print({version!r}); print("spec: 1.0.2-fictional"); sys.exit(0)
if args == ["flags"]:
    print("  -network string")
    if os.environ.get("FAKE_RUNSC_MARKER"):
        print("  -gvisor-marker-file")
    sys.exit(0)
if os.environ.get("FAKE_RUNSC_FAIL"):
    print("creating container: " + os.environ["FAKE_RUNSC_FAIL"], file=sys.stderr)
    sys.exit(128)
log = os.environ.get("FAKE_RUNSC_LOG")
if log:
    env = {{k: v for k, v in os.environ.items() if k.startswith("SOCKMATRIX_")}}
    with open(log, "w", encoding="utf-8") as f:
        json.dump({{"argv": args, "env": env}}, f)
rest = args[args.index("do") + 1:]
while rest and rest[0].startswith("-"):
    rest = rest[1:]
os.execv(rest[0], rest)
"""


def fake_runsc(directory: Path) -> Path:
    path = directory / "runsc"
    path.write_text(_SCRIPT.format(python=sys.executable, version=VERSION_LINE), encoding="utf-8")
    path.chmod(0o755)
    return path
