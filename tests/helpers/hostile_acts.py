"""Hostile cases that are acted out, not only read: runs, writes, renders, the engine.

Each ``make_*`` writes what its case needs under a folder and returns a path;
each ``act_*`` does what a user or CI would do with it and returns one line
that starts with ``held:`` when the rule held, ``BROKEN:`` when it did not.
Used by helpers.hostile_corpus (cases of kind ``act``), tests/hostile/test_corpus.py
and bench/bench_hostile.py. Results files describe fictional platforms only and
are written under the given folder, never under results/.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from pathlib import Path
from typing import Any

# One probe whose verdict alone is longer than the 4,096 characters a results
# file may hold in a string: 16 select steps, each reporting 16 sockets with
# 32-character names writable. Valid (every limit of the probe schema holds).
_NAMES = [f"s{n:02d}" + "x" * 29 for n in range(16)]
LONG_VERDICT_PROBE = (
    "id: long-verdict\ntitle: t\nquestion: q\ntags: [x]\nsources: [s]\n"
    "sockets:\n"
    + "".join(f"  - {{udp: {name}}}\n" for name in _NAMES)
    + "steps:\n"
    + "".join(
        f"  - {{op: select, write: [{', '.join(_NAMES)}], timeout: 1, name: w{n:02d}{'y' * 29}}}\n"
        for n in range(16)
    )
    + f"verdict: [{', '.join(f'w{n:02d}' + 'y' * 29 for n in range(16))}]\n"
)
GOOD_PROBE = (
    "id: good\ntitle: t\nquestion: q\ntags: [x]\nsources: [s]\nsockets: [{udp: u}]\n"
    "steps: [{op: close, socket: u, name: c}]\nverdict: [c]\n"
)


def _quiet() -> contextlib.ExitStack:
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


def make_long_verdict_run(folder: Path) -> str:
    probes = folder / "probes"
    probes.mkdir(exist_ok=True)
    (probes / "long-verdict.yaml").write_text(LONG_VERDICT_PROBE, encoding="utf-8")
    (probes / "good.yaml").write_text(GOOD_PROBE, encoding="utf-8")
    return str(folder)


def act_long_verdict_run(made: str) -> str:
    """`sockmatrix run` of a probe whose record the reader would refuse, beside a good one."""
    from matrix.cli import main
    from matrix.results.read import Unreadable, read_results

    folder = Path(made)
    output = folder / "fictional-run.json"
    with _quiet():
        status = main(["run", str(folder / "probes"), "--output", str(output), "-n", "2"])
    try:
        document = read_results(output, 1)
    except Unreadable as exc:
        return f"BROKEN: the run wrote a file its readers refuse: it {exc}"
    records = {r["id"]: r for r in document["probes"]}
    hostile, good = records.get("long-verdict"), records.get("good")
    if good is None or good["status"] != "ok":
        return f"BROKEN: the good probe's result is missing or failed: {good}"
    if hostile is None or hostile["status"] != "harness-error":
        return f"BROKEN: the long verdict was not recorded as a harness error: {hostile}"
    return f"held: exit {status}, file readable, long-verdict: {hostile['reason']}"


def _oversized_records(count: int, summary: int) -> list[dict[str, Any]]:
    """Records as valid probes with a ``summary``-character documented expectation
    would embed them (validation refuses such probes now; the writer must hold alone)."""
    expect = {"c": {"summary": "x" * summary}}
    return [
        {
            "id": f"big-{n:03d}",
            "file": f"probes/big-{n:03d}.yaml",
            "sha256": "0" * 64,
            "status": "ok",
            "reason": None,
            "duration": 0.1,
            "verdict": "c: ok (immediate)",
            "observations": [],
            "probe": {
                "title": "t",
                "documented": {"linux": {"source": "s", "quote": "q", "expect": expect}},
            },
        }
        for n in range(count)
    ]


def make_oversized_writes(folder: Path) -> str:
    return str(folder / "fictional-total.json")


def act_oversized_writes(made: str) -> str:
    """70 records of 250,000 characters each, written as the pytest plugin writes
    (all at once, at the end): more than the reader's 16 MiB."""
    from matrix.files.read import MAX_RESULTS_BYTES
    from matrix.results.document import ResultsWriter
    from matrix.results.read import Unreadable, read_results

    path = Path(made)
    writer = ResultsWriter(path)
    writer.document["probes"] = _oversized_records(70, 250_000)  # type: ignore[typeddict-item]
    writer.finish()
    try:
        document = read_results(path, 1)
    except Unreadable as exc:
        return f"BROKEN: the writer wrote a file its readers refuse: it {exc}"
    statuses = [r["status"] for r in document["probes"]]
    size = os.path.getsize(path)
    if len(statuses) + len(writer.not_written) != 70 or size > MAX_RESULTS_BYTES:
        return f"BROKEN: {len(statuses)} records in {size} bytes"
    failed = statuses.count("harness-error")
    return (
        f"held: {size} bytes, {statuses.count('ok')} records whole, {failed} stored as "
        f"harness errors, {len(writer.not_written)} left out"
    )


def count_links(markdown: str) -> list[str]:
    """The link targets GitHub's renderer (cmark-gfm with its autolink extension) makes."""
    import cmarkgfm

    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown)
    return re.findall(r'<a href="([^"]*)"', rendered)


def results_with_links(folder: Path) -> Path:
    """A fictional results file whose every free-text field holds would-be links."""
    from helpers.synthetic import observation, record, results_document

    bait = (
        "see http://plain.invalid/x, www.example.invalid, someone@example.invalid, "
        "https://not-a-source.invalid/y, mailto:a@b.invalid, xmpp:a@b.invalid @octocat "
        "@org/team #12"
    )
    rec = record("p1", f"recv: {bait}", observations=[observation("recv", bait)])
    rec["reason"] = bait
    rec["probe"] = {
        "title": f"title {bait}",
        "question": bait,
        "sources": ["https://source.invalid/doc", "a book, page 3"],
        "documented": {"testos": {"source": "https://doc.invalid/q", "quote": bait}},
    }
    other = record("p1", "recv: EOF", observations=[observation("recv", "EOF")])
    documents = [
        results_document(os="testos", records=[rec], source={"run_url": "https://run.invalid/1"}),
        results_document(os="otheros", records=[other]),
    ]
    documents[0]["started"] = bait
    for n, document in enumerate(documents):
        (folder / f"links-{n}.json").write_text(json.dumps(document), encoding="utf-8")
    # The same platform before, with another verdict: the diff lists the change.
    before = folder / "before"
    before.mkdir(exist_ok=True)
    earlier = results_document(os="testos", records=[other])
    (before / "links-0.json").write_text(json.dumps(earlier), encoding="utf-8")
    return folder


def make_links(folder: Path) -> str:
    return str(results_with_links(folder))


ALLOWED_LINKS = {"https://source.invalid/doc", "https://doc.invalid/q", "https://run.invalid/1"}


def act_links(made: str) -> str:
    """MATRIX.md, the job summary and a diff's PR body of results full of bait:
    only sources and the run URL may be links."""
    from matrix.render.changes import render_diff_md
    from matrix.render.job_summary import job_summary
    from matrix.render.to_md import render_markdown
    from matrix.table.diff import diff, load_snapshot
    from matrix.table.merge import load_and_merge, results_files

    files = results_files([Path(made)])
    merged = load_and_merge(files, [])
    changes = diff(load_snapshot(Path(made) / "before"), load_snapshot(Path(made)))
    if not changes.changes:
        return "BROKEN: the diff found no change to render"
    texts = {
        "MATRIX.md": render_markdown(merged),
        "job summary": job_summary(merged),
        "PR body": render_diff_md(changes),
    }
    for name, text in texts.items():
        links = [href for href in count_links(text) if not href.startswith("#")]
        stray = [href for href in links if href not in ALLOWED_LINKS]
        if stray:
            return f"BROKEN: {name} links {stray[:3]}"
        if re.search(r"(?<![\w&#;])@(?:octocat|org/team)\b", text):
            return f"BROKEN: {name} mentions someone"
    return f"held: {sum(len(count_links(t)) for t in texts.values())} links, all allowed"


def make_symlinked_probe(folder: Path) -> str:
    """probes/hostile.yaml, a link to a file outside that holds a secret."""
    secret = folder / "secret.txt"
    secret.write_text("SECRET-TOKEN-12345\n", encoding="utf-8")
    probes = folder / "probes"
    probes.mkdir(exist_ok=True)
    link = probes / "hostile.yaml"
    link.symlink_to(secret)
    return str(link)


def make_nothing(folder: Path) -> str:
    return str(folder)


def act_interrupted_lock(made: str) -> str:
    """KeyboardInterrupt at every point of the results lock's life where a signal
    handler can run (helpers.interrupts), then the lock taken again at once."""
    import time

    from helpers.interrupts import interrupt_everywhere
    from matrix.files.write import locked

    target = Path(made) / "fictional.json"
    points, left = interrupt_everywhere(target)
    if left:
        return f"BROKEN: an interrupt at point {left[0]} left the lock"
    started = time.monotonic()
    with locked(target, wait=5):
        pass
    return f"held: {points} interrupt points, no lock left, taken again in " + (
        f"{(time.monotonic() - started) * 1000:.0f} ms"
    )


def act_python_api_flags(made: str) -> str:
    """An unvalidated probe asking --api python for MSG flags validation refuses."""
    from matrix.engine.scenario import Engine

    for op, flag in (("send", "FASTOPEN"), ("send", "DONTROUTE"), ("send", "MORE"),
                     ("send", "CONFIRM"), ("recv", "TRUNC")):  # fmt: skip
        step: dict[str, Any] = {"op": op, "socket": "a", "flags": [flag], "name": "x"}
        if op == "send":
            step["data"] = "x"
        probe = {"id": "flags", "sockets": [{"pair": ["a", "b"]}], "steps": [step],
                 "verdict": ["x"]}  # fmt: skip
        result = Engine(probe, lambda event: None, "python").run()  # type: ignore[arg-type]
        if result["status"] != "harness-error" or "not allowed" not in str(result["reason"]):
            return f"BROKEN: MSG_{flag} reached {op}(): {result['status']}"
    return "held: every flag refused before the call"


def act_connect_to_own_udp_port(made: str) -> str:
    """An unvalidated probe's TCP socket connects `to` its own UDP socket, whose port
    number may be another program's TCP service: refused before connect()."""
    from matrix.engine.scenario import Engine

    for api in ("native", "python"):
        probe = {
            "id": "own",
            "sockets": [{"udp": "u"}, {"tcp": "c"}],
            "steps": [{"op": "connect", "socket": "c", "to": "u", "within": 2, "name": "x"}],
            "verdict": ["x"],
        }
        result = Engine(probe, lambda event: None, api).run()  # type: ignore[arg-type]
        if result["status"] != "harness-error" or result["observations"]:
            return f"BROKEN ({api}): {result['status']}, {result['observations'][:1]}"
    return "held: refused by protocol, address family and port with both APIs"


def act_every_reader_of_empty_objects(made: str) -> str:
    """`table`, `show`, `check` and `diff` of a 16 MiB file of empty objects: each
    refuses it by name before parsing it (bench/bench_hostile.py: the peak)."""
    from matrix.cli import main

    outputs = []
    for command in (
        ["table", made, "--format", "md", "--probes", made + ".none"],
        ["show", "hostile", "--results", made],
        ["check", made],
        ["diff", made, made],
    ):
        stderr = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(stderr):
            status = main(command)
        if status == 0 or "could take up to" not in stderr.getvalue():
            return f"BROKEN: {command[0]} exited {status}: {stderr.getvalue()[:100]}"
        outputs.append(command[0])
    return "held: refused unparsed by " + ", ".join(outputs)
