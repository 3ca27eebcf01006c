"""Escape sequences and bidi controls in probe files, file names and results never reach
the terminal: they are shown escaped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers.hostile_corpus import fictional_results

from matrix.cli import main

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and modes")


@POSIX_ONLY
def test_escape_sequences_in_file_names_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "probes"
    folder.mkdir()
    (folder / "\x1b[2J.yaml").write_text("id: [", encoding="utf-8")
    assert main(["validate", str(folder)]) == 2
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "\x1b]0;owned\x07.json").write_text("{", encoding="utf-8")
    (bad / "good.json").write_text(json.dumps(fictional_results()), encoding="utf-8")
    main(["table", str(bad), "--format", "md", "--probes", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b[2J.yaml" in err and "\\x1b]0;owned\\x07.json: skipped" in err


def test_terminal_escapes_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], write_probe: object
) -> None:
    folder = tmp_path / "probes"
    folder.mkdir()
    (folder / "esc.yaml").write_text(
        'id: esc\ntitle: "\\e[2J\\e]0;owned\\a\\u202eevil"\nquestion: q\ntags: [x]\n'
        "sources: [s]\nsockets: [{tcp: a}]\nsteps: [{op: close, socket: a, name: c}]\n"
        "verdict: [c]\n",
        encoding="utf-8",
    )
    assert main(["list", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b[2J" in out and "\\u202e" in out
    document = fictional_results(probes__0__verdict="\x1b[31mc: ok\u202e", probes__0__id="esc")
    results = tmp_path / "r.json"
    results.write_text(json.dumps(document), encoding="utf-8")
    assert main(["show", "esc", "--results", str(results)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[31m" in out


# A newline, then what the GitHub Actions runner reads as workflow commands, and
# terminal controls: in an assumption's summary, which every report prints.
BAIT = (
    "x\\n::error file=README.md,line=1::owned\\n  ::add-mask::secret ##[set-env name=A]1 "
    "\\e[2J\\a\\u202e"
)
ASSUMING = f"""\
id: bait
title: t
question: q
tags: [x]
sources: [s]
sockets: [{{udp: u}}]
steps: [{{op: close, socket: u, name: c}}]
verdict: [c]
assumptions:
  all:
    c: {{summary: "{BAIT}"}}
"""


def workflow_commands(output: str) -> list[str]:
    """Lines a GitHub Actions runner would act on (actions/runner ActionCommand.cs:
    '::' after leading whitespace, or '##[' anywhere), and raw terminal controls."""
    found = [line for line in output.splitlines() if line.lstrip().startswith("::")]
    found += [line for line in output.splitlines() if "##[" in line]
    found += [repr(c) for c in "\x1b\x07\u202e" if c in output]
    return found


def test_no_report_line_becomes_a_workflow_command_or_a_terminal_control(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    probes = tmp_path / "probes"
    probes.mkdir()
    (probes / "bait.yaml").write_text(ASSUMING, encoding="utf-8")
    results = tmp_path / "fictional.json"
    outputs = {}
    assert main(["run", str(probes), "--output", str(results), "-n", "1"]) in (0, 1)
    outputs["run"] = capsys.readouterr()
    assert main(["check", str(results)]) == 1
    outputs["check"] = capsys.readouterr()
    assert main(["check", str(results), "--probes", str(probes)]) == 1
    outputs["check --probes"] = capsys.readouterr()
    assert main(["show", "bait", "--results", str(results)]) == 0
    outputs["show"] = capsys.readouterr()
    for name, captured in outputs.items():
        assert "owned" in captured.out + captured.err, name  # the text is there, inert
        assert workflow_commands(captured.out + captured.err) == [], name


def test_pytest_failure_lines_are_neither_commands_nor_controls(
    pytester: pytest.Pytester,
) -> None:
    probes = pytester.path / "probes"
    probes.mkdir()
    (probes / "bait.yaml").write_text(ASSUMING, encoding="utf-8")
    result = pytester.runpytest_subprocess("probes", "--sockmatrix-results", "out.json")
    output = "\n".join(result.outlines + result.errlines)
    assert "owned" in output and "broken assumption" in output
    assert workflow_commands(output) == []


HIDDEN = {
    "tag characters": "\U000e0041\U000e0042",
    "soft hyphen": "\u00ad",
    "combining grapheme joiner": "\u034f",
    "hangul filler": "\u3164",
    "braille blank": "\u2800",
    "variation selector": "\ufe0f",
    "variation selector supplement": "\U000e0100",
    "zero-width space": "\u200b",
    "invisible separator": "\u2063",
    "mongolian vowel separator": "\u180e",
    "private use": "\ue000",
    "unassigned": "\u0378",
    "line separator": "\u2028",
}


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_invisible_characters_are_shown_in_every_output(name: str) -> None:
    from matrix.render.safe_text import for_terminal, shown, shown_json

    text = f"a{HIDDEN[name]}b"
    codes = [f"{ord(c):04X}" for c in HIDDEN[name]]
    assert all(f"[U+{code}]" in shown(text) for code in codes)
    assert all(code.lower().lstrip("0").zfill(2) in for_terminal(text) for code in codes)
    assert HIDDEN[name] not in shown(text) and HIDDEN[name] not in for_terminal(text)
    assert all(f"[U+{code}]" in shown_json(json.dumps(text, ensure_ascii=False)) for code in codes)


def test_stacked_combining_marks_are_shown_past_three() -> None:
    from matrix.render.safe_text import MAX_MARKS, for_terminal, shown

    zalgo = "e" + "\u0301\u0302\u0303\u0304\u0305\u0306"
    assert shown(zalgo) == "e\u0301\u0302\u0303[U+0304][U+0305][U+0306]"
    assert for_terminal("\u0301") == "\\u0301"  # a mark with nothing to sit on
    assert MAX_MARKS == 3


@pytest.mark.parametrize(
    "text",
    ["café", "Tiếng Việt", "नमस्ते", "שָׁלוֹם", "日本語のテキスト", "❤ ✓ → ≠ · — …", "Ελληνικά"],
)
def test_ordinary_text_of_any_script_is_left_alone(text: str) -> None:
    from matrix.render.safe_text import for_terminal, shown

    assert shown(text) == text
    assert for_terminal(text) == text


def test_no_character_of_the_fast_path_is_one_that_must_be_shown() -> None:
    """The plain class that skips the per-character look holds no hidden character."""
    from matrix.render.safe_text import _PLAIN, hidden

    plain = [chr(c) for c in range(0x2800) if _PLAIN.fullmatch(chr(c))]
    assert len(plain) > 1000
    assert not any(hidden(char, "a")[0] for char in plain)


def test_every_command_prints_through_the_one_sanitiser() -> None:
    """No print() or sys.stdout/stderr.write() in a command or the CLI but in say()."""
    import ast

    from helpers.paths import REPO

    files = [*sorted((REPO / "matrix" / "commands").glob("*.py")), REPO / "matrix" / "cli.py"]
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            if path.name == "common.py" and function.name == "say":
                continue
            for call in [n for n in ast.walk(function) if isinstance(n, ast.Call)]:
                name = ast.unparse(call.func)
                if name == "print" or name.endswith((".stdout.write", ".stderr.write")):
                    offenders.append(f"{path.name}:{call.lineno}: {name}")
    assert offenders == []
