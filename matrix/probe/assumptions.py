"""Assumptions: what a user's code relies on, compared with what an OS did.

Rules of this module:
- An assumption uses the vocabulary of ``documented.expect`` (outcome, portable
  error name, summary, timing class, each a word or a list meaning any of
  them): only the fields given are compared, by matrix.language.expectations.
- ``all`` applies on every platform; a family's entry for a step (``windows``)
  replaces the ``all`` entry for that step on that family.
- An assumption that could not be checked because the probe did not run
  (crashed, timed out, invalid) or the step left no observation counts as
  broken: a check that passes without evidence would be worse than none. A
  probe ``skipped`` on a platform (not applicable there) is not checked.
- Results files are hostile input: embedded assumptions are read defensively.
  A record or an observation is any Mapping here (its types, Record and
  Observation, live in rooms above or beside this one), checked field by field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from matrix.language.expectations import FIELDS, MAX_ALTERNATIVES, fits, observed_fields, words
from matrix.language.os_families import FAMILIES
from matrix.language.suggest import did_you_mean
from matrix.probe.model import KeyPath

if TYPE_CHECKING:
    from matrix.language.probe_types import Probe

EVERYWHERE = "all"
NOT_APPLICABLE = ("skipped",)


class _AssumptionKeys(TypedDict):
    platform: str
    step: str
    expect: dict[str, str | list[str]]


class AssumptionJson(_AssumptionKeys, total=False):
    """An assumption as a results record embeds it (the results schema's keys)."""

    line: int | None


# NamedTuples, not dataclasses: matrix.language.arguments.Operation says why.
class Assumption(NamedTuple):
    platform: str  # a family name, or "all"
    step: str
    expect: dict[str, str | list[str]]
    line: int | None = None

    def to_json(self) -> AssumptionJson:
        return {
            "platform": self.platform,
            "step": self.step,
            "expect": {key: _copy(value) for key, value in self.expect.items()},
            "line": self.line,
        }


def from_probe(data: Probe, lines: dict[KeyPath, int]) -> list[Assumption]:
    """The assumptions a validated probe states, each with its line."""
    found = []
    for platform, steps in sorted(data.get("assumptions", {}).items()):
        for step, expect in steps.items():
            line = lines.get(("assumptions", platform, step))
            fields = {key: _field(value) for key, value in expect.items()}
            found.append(Assumption(platform, step, fields, line))
    return found


def from_record(record: Mapping[str, Any]) -> list[Assumption]:
    """The assumptions embedded in a results record (none in older files)."""
    embedded = record.get("probe")
    items = embedded.get("assumptions") if isinstance(embedded, dict) else None
    found = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        expect = item.get("expect")
        if not isinstance(expect, dict):
            continue
        fields = {k: _field(v) for k, v in expect.items() if k in FIELDS}
        if not fields:
            continue  # nothing this version can compare
        line = item.get("line")
        found.append(
            Assumption(
                platform=str(item.get("platform", EVERYWHERE)),
                step=str(item.get("step", "")),
                expect=fields,
                line=line if isinstance(line, int) and not isinstance(line, bool) else None,
            )
        )
    return found


def applicable(assumptions: list[Assumption], family: str) -> list[Assumption]:
    """The assumptions that hold for one family: its own entry beats ``all``."""
    chosen: dict[str, Assumption] = {}
    for assumption in assumptions:
        if assumption.platform == EVERYWHERE:
            chosen.setdefault(assumption.step, assumption)
    for assumption in assumptions:
        if assumption.platform == family:
            chosen[assumption.step] = assumption
    return [chosen[step] for step in sorted(chosen)]


def _copy(value: str | list[str]) -> str | list[str]:
    return list(value) if isinstance(value, list) else value


def _field(value: object) -> str | list[str]:
    """A field as written: a word, or a list of words ("any of these"); a results
    file's value is hostile, so a list keeps at most MAX_ALTERNATIVES words as text."""
    if isinstance(value, list):
        return [str(item) for item in value[:MAX_ALTERNATIVES]]
    return str(value)


def describe(fields: Mapping[str, Any]) -> str:
    """``raised ECONNRESET (immediate)``, ``returned EOF``, ``blocked``: a verdict's words."""
    outcome = words(fields["outcome"]) if fields.get("outcome") else None
    timing = words(fields["timing"]) if fields.get("timing") else None
    what = fields.get("error") or fields.get("summary")
    what = words(what) if what else None
    if "blocked" in (outcome, what):
        text = "blocked"
    else:
        text = " ".join(str(part) for part in (outcome, what) if part)
    if timing and timing != "blocked":
        text = f"{text} ({timing})" if text else f"timing {timing}"
    return text or "anything"


class Broken(NamedTuple):
    probe: str
    step: str
    platform: str
    assumed: str
    observed: str
    file: str
    line: int | None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.probe}: step {self.step!r} on {self.platform}: "
            f"assumed {self.assumed}, observed {self.observed}"
        )


def broken_assumptions(
    record: Mapping[str, Any],
    family: str,
    platform_key: str,
    assumptions: list[Assumption] | None = None,
    file: str | None = None,
) -> list[Broken]:
    """Every assumption this platform's record contradicts or could not confirm."""
    wanted = applicable(from_record(record) if assumptions is None else assumptions, family)
    status = record.get("status")
    if not wanted or status in NOT_APPLICABLE:
        return []
    probe_id = str(record.get("id", "?"))
    where = file or str(record.get("file") or f"{probe_id}.yaml")
    observations = {
        o.get("name"): o for o in record.get("observations") or [] if isinstance(o, dict)
    }
    found = []
    for assumption in wanted:
        observation = observations.get(assumption.step)
        if status != "ok":
            observed = f"nothing: the probe {status} ({record.get('reason') or 'no reason given'})"
        elif observation is None:
            observed = "nothing: the step left no observation"
        else:
            if fits(assumption.expect, observation):
                continue
            observed = describe(observed_fields(observation))
        found.append(
            Broken(
                probe=probe_id,
                step=assumption.step,
                platform=platform_key,
                assumed=describe(assumption.expect),
                observed=observed,
                file=where,
                line=assumption.line,
            )
        )
    # In the file's order (applicable() gives them by step name).
    return sorted(found, key=lambda one: one.line or 0)


# Families a results file's platform.os can name (matrix.results.platform's stacks);
# an assumption keyed by anything else would silently never apply, so
# validation refuses it.


def reference_problems(data: Probe, step_names: list[str]) -> list[tuple[KeyPath, str]]:
    """Checks a schema cannot make: known families, existing step names."""
    problems: list[tuple[KeyPath, str]] = []
    families = [EVERYWHERE, *FAMILIES]
    for platform, steps in data.get("assumptions", {}).items():
        if platform not in families:
            problems.append(
                (
                    ("assumptions", platform),
                    f"unknown platform family {platform!r}{did_you_mean(platform, families)}; "
                    f"use one of: {', '.join(families)}",
                )
            )
        for step in steps:
            if step not in step_names:
                problems.append(
                    (
                        ("assumptions", platform, step),
                        f"no step named {step!r}{did_you_mean(step, step_names)}",
                    )
                )
    return problems
