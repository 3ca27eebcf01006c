"""The job summary: a compact digest of the merged table under GitHub's size limit, with a link.

Fictional platforms only.
"""

from __future__ import annotations

import copy
import json

from helpers.synthetic import observation, record, results_document

from matrix.render.job_summary import LIMIT, MAX_LISTED, job_summary
from matrix.table.merge import merge


def _document(verdict: str = "recv: EOF", started: str = "2030-01-01T00:00:00+00:00") -> dict:  # type: ignore[type-arg]
    obs = observation("recv", verdict.split(": ")[1])
    document = results_document(
        os="fictionalos",
        records=[record("p1", verdict, observations=[obs])],
        started=started,
        source={"run_url": "https://github.com/o/r/actions/runs/1", "commit": "a" * 40},
    )
    return document


def test_job_summary_is_bounded_and_links_the_artifact() -> None:
    # 150 fictional platforms x 300 probes, every row differing: the full table
    # would pass GitHub's 1 MiB; the digest stays under its own limit.
    documents = []
    for n in range(150):
        records = [
            record(f"probe-{i:03d}", f"recv: V{n}", observations=[observation("recv", f"V{n}")])
            for i in range(300)
        ]
        documents.append(
            (f"f{n}.json", results_document(os=f"fictional{n:03d}os", records=records))
        )
    matrix = merge(documents, [])
    url = "https://github.com/o/r/actions/runs/1/artifacts/2"
    text = job_summary(matrix, url)
    assert len(text.encode("utf-8")) <= LIMIT < 1024 * 1024
    assert f"]({url})" in text
    assert f"and {300 - MAX_LISTED} more" in text or "cut to fit" in text


def test_job_summary_lists_skipped_files_and_platform_stacks() -> None:
    document = _document()
    document["platform"]["stack"] = "Windows"
    clash = copy.deepcopy(document)
    clash["platform"]["os_version"] = "other"
    matrix = merge([("a.json", document), ("b.json", clash)], [])
    text = job_summary(matrix, "")
    assert "| Windows |" in text
    assert "`b.json`" in text and "collides" in text
    assert "the sockmatrix-matrix artifact" in text
    json.dumps(text)  # plain text
