"""Where the repository is, for tests that read its files by path.

Found from this file, not from the current directory or the imported package:
under tox the package comes from the installed wheel, while README.md, probes/,
the workflows and matrix/'s sources are read from the checkout.
"""

from __future__ import annotations

from pathlib import Path

HELPERS = Path(__file__).resolve().parent
TESTS = HELPERS.parent
REPO = TESTS.parent
PROBE_LIBRARY = REPO / "probes"
