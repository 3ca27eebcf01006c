"""Validate probe files: YAML, schema, references, addresses, ids.

Rules of this module:
- Every problem in every file is collected; nothing stops at the first one.
- A problem reads as a trail: ``file:line: key → key → what was expected``.
- The JSON Schema shipped in ``matrix/schemas`` decides the shape; the checks
  here are the ones a schema cannot express (references between parts of a
  probe, ids against file names, addresses, the words of expectations). They
  run in the same pass as the schema, on the parts the schema left sound: a
  schema error never hides them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from matrix.files.read import Unreadable, read_bounded
from matrix.language.addresses import address_problem
from matrix.language.operations import (
    SOCKET_CREATING_ARGS,
    SOCKET_LIST_ARGS,
    SOCKET_REFERENCE_ARGS,
)
from matrix.language.suggest import did_you_mean
from matrix.probe.assumptions import reference_problems
from matrix.probe.evidence_rules import evidence_problems
from matrix.probe.expectation_checks import expectation_problems
from matrix.probe.messages import describe, explain
from matrix.probe.model import TEXT_KEYS, KeyPath, ProbeFile, Problem, short
from matrix.probe.rules import (
    budget_problems,
    flat_pair_options,
    limit_problems,
    option_problems,
    select_problems,
)
from matrix.probe.schema import BROKEN_OP, probe_schema, schema_errors, sound_view
from matrix.probe.yaml_lines import LoadedYaml, YamlProblem, load_yaml

if TYPE_CHECKING:
    # Types only: building the TypedDicts costs every `validate` 3 ms.
    from matrix.language.probe_types import Probe, Step

MAX_FILE_BYTES = 256 * 1024
# A probe's text travels inside every results record (matrix.results.embedded_probe):
# bounded, so a results file holds hundreds of probes within its own size limit
# (the library's largest probe text is about 2 kB).
MAX_EMBEDDED_BYTES = 32 * 1024
EMBEDDED_KEYS = (*TEXT_KEYS, "assumptions")
MAX_THREADS = 8
# A file with more problems than this gets this many and a count: a hostile
# file must not turn into tens of thousands of lines.
MAX_PROBLEMS = 50


def _schema_problems(
    loaded: LoadedYaml, file: str, explained: frozenset[KeyPath] = frozenset()
) -> Iterator[Problem]:
    """Schema errors, once each; none under a path a pre-check already explained."""
    seen: set[tuple[KeyPath, str]] = set()
    for prefix, error in schema_errors(loaded.data):
        for relative, message in explain(error):
            path = (*prefix, *relative)
            if (path, message) in seen or any(path[: len(p)] == p for p in explained):
                continue
            seen.add((path, message))
            yield Problem(file, loaded.line_of(path), path, message)


def _pre_schema_problems(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    """Mistakes whose schema errors would be cryptic: explained in plain words first."""
    sockets = data.get("sockets")
    for index, spec in enumerate(sockets if isinstance(sockets, list) else []):
        if isinstance(spec, dict) and (message := flat_pair_options(spec)):
            yield ("sockets", index, "options"), message


def _unknown_sockets(
    args: Mapping[str, Any], where: KeyPath, sockets: Mapping[str, str]
) -> Iterator[tuple[KeyPath, str]]:
    for arg in SOCKET_REFERENCE_ARGS:
        name = args.get(arg)
        if isinstance(name, str) and name not in sockets:
            yield (*where, arg), f"unknown socket {name!r}{did_you_mean(name, sockets)}"
    for arg in SOCKET_LIST_ARGS:
        for position, name in enumerate(args.get(arg, [])):
            if isinstance(name, str) and name not in sockets:
                yield (
                    (*where, arg, position),
                    (f"unknown socket {name!r}{did_you_mean(name, sockets)}"),
                )


def _reference_problems(data: Probe) -> Iterator[tuple[KeyPath, str]]:
    """Checks across sections, on the document's sound view (probe.schema.sound_view)."""
    sockets: dict[str, str] = {}
    for index, spec in enumerate(data["sockets"]):
        names: Sequence[str | None] = spec.get("pair") or [
            spec.get("listener"),
            spec.get("tcp"),
            spec.get("udp"),
        ]
        for declared in filter(None, names):
            if declared in sockets:
                yield ("sockets", index), f"socket {declared!r} is declared twice"
            sockets[declared] = "declared"
        if "pair" in spec:
            for end in spec.get("options", {}):
                if end not in spec["pair"]:
                    yield (
                        ("sockets", index, "options", end),
                        (f"{end!r} is not an end of this pair {spec['pair']}"),
                    )

    threads: dict[str, int] = {}
    steps: dict[str, Step] = {}
    for index, step in enumerate(data["steps"]):
        if step["op"] == BROKEN_OP:
            # Refused by the schema (reported there): the sockets it names, as text,
            # still have to exist (a misspelt flag must not hide a misspelt
            # socket), and later steps may name what it names and creates.
            yield from _unknown_sockets(step, ("steps", index), sockets)
            if "name" in step:
                steps[step["name"]] = step
            if "as" in step:
                sockets[step["as"]] = "created"
            continue
        if "thread" in step and step["thread"] not in threads:
            threads[step["thread"]] = index
            if len(threads) > MAX_THREADS:
                yield (
                    ("steps", index, "thread"),
                    (f"more than {MAX_THREADS} threads; a probe may use at most {MAX_THREADS}"),
                )
        where: KeyPath = ("steps", index)
        # The step by argument name, as the operations table lists them.
        args: Mapping[str, Any] = step
        yield from _unknown_sockets(args, where, sockets)
        for arg in SOCKET_CREATING_ARGS:
            name = args.get(arg)
            if name is not None:
                if name in sockets:
                    yield (*where, arg), f"socket {name!r} already exists"
                sockets[name] = "created"
        if "address" in step and (why := address_problem(step["address"])):
            yield (*where, "address"), why
        if step["op"] == "join":
            target = steps.get(step["step"])
            if target is None:
                yield (
                    (*where, "step"),
                    (
                        f"no earlier step named {short(step['step'])}"
                        f"{did_you_mean(step['step'], steps)}"
                    ),
                )
            elif "thread" not in target and target["op"] != BROKEN_OP:
                yield (*where, "step"), f"step {step['step']!r} does not run on a thread"
        if step["op"] == "drain":
            for position, name in enumerate(step.get("of", [])):
                target = steps.get(name)
                if target is not None and target["op"] == BROKEN_OP:
                    continue
                if target is None or target["op"] not in ("send", "sendall", "fill"):
                    yield (
                        (*where, "of", position),
                        (f"{name!r} is not an earlier send, sendall or fill step"),
                    )
        if "thread" in step and step["op"] == "join":
            yield (*where, "thread"), "join runs on the main sequence only"
        step_name = step.get("name")
        if step_name is not None:
            if step_name in steps:
                yield (*where, "name"), f"step name {step_name!r} is used twice"
            steps[step_name] = step

    for index, name in enumerate(data["verdict"]):
        if isinstance(name, str) and name not in steps:
            yield ("verdict", index), f"no step named {short(name)}{did_you_mean(name, steps)}"
    yield from reference_problems(data, list(steps))
    yield from evidence_problems(data, steps)


def _document_problems(loaded: LoadedYaml, file: str, stem: str) -> list[Problem]:
    def at(found: Iterable[tuple[KeyPath, str]]) -> list[Problem]:
        return [Problem(file, loaded.line_of(path), path, message) for path, message in found]

    # Size limits first: one message per limit, before a schema pass that
    # would take seconds and report every element of a 19,900-step list.
    limits = at(limit_problems(loaded.data, probe_schema()))  # sizes only
    if limits:
        return limits
    early = at(_pre_schema_problems(loaded.data))
    problems = early + list(_schema_problems(loaded, file, frozenset(p.path for p in early)))
    if loaded.data.get("id") not in (None, stem) and isinstance(loaded.data.get("id"), str):
        problems.append(
            Problem(
                file,
                loaded.line_of(("id",)),
                ("id",),
                f"id {short(loaded.data['id'])} must equal the file name {stem!r}",
            )
        )
    # The checks a schema cannot make run on what fits it (the whole document,
    # or the parts a schema error left sound), so one pass reports every problem:
    # a misspelt key never hides an unknown option or a socket used too early.
    sound = sound_view(loaded.data)
    semantic = at(expectation_problems(loaded.data))
    if sound is not None:
        view = cast("Probe", sound)  # unknown keys dropped, refused parts reduced to names
        semantic += at(_reference_problems(view))
        semantic += at(option_problems(view))
        semantic += at(select_problems(view))
        semantic += at(budget_problems(view))
    if not problems:
        semantic += at(embedded_size_problems(loaded.data))
    # One message per place: a value the schema refused is not explained twice.
    reported = {p.path for p in problems}
    problems += [p for p in semantic if not any(p.path[: len(r)] == r for r in reported if r)]
    return sorted(problems, key=lambda p: p.line or 0)


def embedded_size_problems(data: Mapping[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    """The probe's text as every results record embeds it (JSON, as the writer
    escapes it) must stay within MAX_EMBEDDED_BYTES; the line named is that of the
    largest part."""
    import json

    sizes = {key: len(json.dumps(data[key])) for key in EMBEDDED_KEYS if key in data}
    total = sum(sizes.values())
    if total > MAX_EMBEDDED_BYTES:
        largest = max(sizes, key=lambda key: sizes[key])
        yield (
            (largest,),
            f"the probe's text (title, question, tags, sources, notes, documented, "
            f"runtimes, bites, assumptions) takes {total} bytes in every results record; the "
            f"limit is {MAX_EMBEDDED_BYTES} ({largest} alone takes {sizes[largest]})",
        )


def _capped(problems: list[Problem], file: str) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    # Every message names a line: this one, the first problem it leaves out.
    first_hidden = next((p.line for p in problems[MAX_PROBLEMS:] if p.line is not None), 1)
    return [
        *problems[:MAX_PROBLEMS],
        Problem(file, first_hidden, (), f"{more} more problem(s) not shown; fix these first"),
    ]


def validate_text(text: str, file: str, stem: str) -> tuple[ProbeFile | None, list[Problem]]:
    """Validate one probe's text; ``stem`` is the file name the id must equal."""
    if len(text) > MAX_FILE_BYTES:
        return None, [
            Problem(file, 1, (), f"probe is {len(text)} characters; the limit is {MAX_FILE_BYTES}")
        ]
    try:
        loaded = load_yaml(text)
    except YamlProblem as exc:
        # Every problem names a line; one PyYAML cannot place is at the top.
        return None, [Problem(file, exc.line or 1, exc.path, exc.message)]
    if not isinstance(loaded.data, dict):
        return None, [Problem(file, 1, (), f"a probe is a mapping, got {describe(loaded.data)}")]
    problems = _document_problems(loaded, file, stem)
    if problems:
        return None, _capped(problems, file)
    # The schema and the checks above passed: the YAML is a Probe from here on.
    # Its digest (the meaning, not the bytes) is computed when a run asks for it.
    return ProbeFile(Path(file), cast("Probe", loaded.data), lines=loaded.lines), []


def validate_file(path: Path) -> tuple[ProbeFile | None, list[Problem]]:
    file = str(path)
    try:
        # A link can point at any file on the machine (a key, a token), whose first
        # line a problem would echo into a public CI log: never followed.
        if path.is_symlink():
            return None, [
                Problem(
                    file,
                    None,
                    (),
                    "is a symbolic link, not a regular file; probe files are never read "
                    "through a link (it may point at any file on this machine)",
                )
            ]
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(file, None, (), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
            ]
        # Regular files only, bounded while reading: not /dev/zero, not a FIFO.
        raw = read_bounded(path, MAX_FILE_BYTES, follow=False)
    except OSError as exc:
        return None, [Problem(file, None, (), f"cannot read: {exc.strerror or exc}")]
    except Unreadable as exc:
        return None, [Problem(file, None, (), str(exc))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(file, line, (), f"not UTF-8 text (byte {exc.start})")]
    probe, problems = validate_text(text, file, path.stem)
    if probe is not None:
        probe.path = path
    return probe, problems


def probe_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders into probe files, sorted so every worker agrees."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(str(path), None, (), "no such file or folder"))
    return sorted(dict.fromkeys(found)), problems


def validate_paths(
    paths: Iterable[Path], notes: list[str] | None = None
) -> tuple[list[ProbeFile], list[Problem]]:
    """Every valid probe under ``paths`` and every problem found, in one pass.

    Two files with one id are a problem, except a file of the user's and a
    built-in probe (a user copies a built-in probe to add assumptions, then runs
    with --with-builtin): the user's file is used, with a line in ``notes``.
    """
    from matrix.probe.selection import builtin_probe_dir

    builtin = builtin_probe_dir().resolve()

    def is_builtin(path: Path) -> bool:
        return path.resolve().is_relative_to(builtin)

    files, problems = probe_paths(paths)
    probes: list[ProbeFile] = []
    first_seen: dict[str, ProbeFile] = {}
    for path in files:
        probe, file_problems = validate_file(path)
        problems.extend(file_problems)
        if probe is None:
            continue
        other = first_seen.get(probe.id)
        if other is not None and is_builtin(other.path) != is_builtin(path):
            own, shadowed = (other, probe) if is_builtin(path) else (probe, other)
            if notes is not None:
                notes.append(
                    f"{own.path}: id {own.id!r} is also a built-in probe "
                    f"({shadowed.path.name}); your file is used in its place"
                )
            probes[probes.index(other)] = own
            first_seen[probe.id] = own
            continue
        if other is not None:
            problems.append(
                Problem(
                    str(path),
                    probe.lines.get(("id",)),
                    ("id",),
                    f"id {probe.id!r} is already used by {other.path}",
                )
            )
            continue
        first_seen[probe.id] = probe
        probes.append(probe)
    return probes, problems
