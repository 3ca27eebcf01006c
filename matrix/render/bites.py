"""The bite list: the behaviours users keep filing bugs about, from the probes' ``bites``.

Rules of this module: generated from probe metadata only (matrix.language.bites
names the behaviours and their order); every string goes through to_md.md; a
report becomes a link only if its URL is a plain GitHub issue or pull request
URL (matrix.language.bites.ISSUE_URL_PATTERN) that safe_url accepts, so text
from a probe file can neither add a link of its own nor reshape the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from matrix.language.bites import BEHAVIOURS, ISSUE_URL_PATTERN
from matrix.render.present import safe_url
from matrix.render.to_md import md

_ISSUE = re.compile(ISSUE_URL_PATTERN)


def _report(url: str) -> str:
    """``[owner/repo#N](url)``, the link text built from the checked URL (its number
    is digits, so its # is written as it is: md() would break it up as it breaks
    bare references). What each report shows stays in the probe file: the list is
    on the README's front page, which must stay a doorway (at most 12 KB)."""
    target = safe_url(url) if _ISSUE.fullmatch(url) else None
    if target is None:
        return md(url)
    owner, repo, _, number = url.removeprefix("https://github.com/").split("/")
    return f"[{md(f'{owner}/{repo}')}#{number}]({target})"


def bite_list(probes: Iterable[Mapping[str, Any]], details_in: str, rows: set[str]) -> str:
    """The list as Markdown. ``probes``: probe documents; a probe whose id is in ``rows``
    links its details at ``details_in#probe-<id>``, any other is named only."""
    shown: dict[str, tuple[list[str], dict[str, None]]] = {}
    for data in sorted(probes, key=lambda d: str(d.get("id", ""))):
        for bite in data.get("bites", []):
            behaviour = bite.get("behaviour")
            if behaviour not in BEHAVIOURS:
                continue
            ids, reports = shown.setdefault(behaviour, ([], {}))
            ids.append(str(data.get("id", "")))
            for issue in bite.get("issues", []):
                reports.setdefault(str(issue.get("url", "")), None)
    if not shown:
        return "*No probe names a behaviour users keep filing bugs about.*\n"
    lines = [
        "What people keep tripping over, each with the probes that measure it and public "
        "reports that show it (generated from the probes' `bites:`, which say what each "
        "report shows; the table shows what each platform did):",
        "",
    ]
    for number, behaviour in enumerate((b for b in BEHAVIOURS if b in shown), 1):
        ids, reports = shown[behaviour]
        names = ", ".join(
            f"[{md(pid)}]({details_in}#probe-{pid})" if pid in rows else md(pid) for pid in ids
        )
        said = ", ".join(_report(url) for url in reports)
        lines.append(
            f"{number}. **{md(BEHAVIOURS[behaviour])}.** Probes: {names}. Reports: {said}."
        )
    return "\n".join(lines) + "\n"
