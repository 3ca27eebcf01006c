"""matrix.render.workflow_commands: text from a results file never makes a command of its own."""

from __future__ import annotations

import pytest

from matrix.render.workflow_commands import annotation


def test_an_annotation_names_file_line_and_title() -> None:
    assert annotation("error", "broken", file="my-probes/a.yaml", line=16, title="t") == (
        "::error file=my-probes/a.yaml,line=16,title=t::broken"
    )
    assert annotation("warning", "plain") == "::warning::plain"


def test_hostile_text_stays_on_its_line_and_in_its_field() -> None:
    text = annotation(
        "error",
        "x\n::add-mask::secret\r%0A",
        file="a,line=1,title=::evil.yaml",
        title="t,file=x",
    )
    assert "\n" not in text and "\r" not in text
    head, message = text.split("::", 2)[1:]
    assert head == "error file=a%2Cline=1%2Ctitle=%3A%3Aevil.yaml,title=t%2Cfile=x"
    assert "%250A" in message  # a literal %0A in the text is not unescaped to a newline


def test_only_annotation_levels() -> None:
    with pytest.raises(ValueError):
        annotation("set-env", "x")
