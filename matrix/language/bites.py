"""The behaviours users keep filing bugs about: the vocabulary of a probe's ``bites``.

Rules of this module: data only, standard library only. A probe names the
behaviour it shows (an id below) and the public issues that show it; the front
page's bite list is generated from those, in this order (``sockmatrix table
--readme``). A behaviour joins this list only with public issues to show for it.
"""

from __future__ import annotations

# id -> how the bite list names it.
BEHAVIOURS: dict[str, str] = {
    "close-does-not-wake": "close() or shutdown() does not wake a call blocked in another thread",
    "windows-resets-on-close": "Windows resets the connection on close",
    "slow-refused-connect": "A refused connect takes about 2 s on Windows",
    "reuseaddr-hijack": "SO_REUSEADDR lets another socket take a port in use on Windows",
    "linger-quirks": "SO_LINGER does something else on every OS",
}

# A public report: a GitHub issue or pull request, by its canonical https URL.
ISSUE_URL_PATTERN = (
    r"^https://github\.com/[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}"
    r"/(issues|pull)/[1-9][0-9]{0,6}$"
)
MAX_ISSUES = 12
